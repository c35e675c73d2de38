//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kadm-project/kadm/internal/atomicfile"
	"github.com/kadm-project/kadm/test/e2e/framework"
)

// helperEnv makes the test binary act as a small tool inside a host, so the
// tests need no curl, nc or pgrep there.
const helperEnv = "KADM_E2E_HELPER"

// inHost runs the test binary as a helper inside h: "get URL", "serve ADDR",
// "forward LISTEN>TARGET", "pgrep TEXT" or "pkill TEXT". On the test machine,
// "crash HOST" creates a host of the lab described by $KADM_E2E_CRASH_LAB,
// runs a container in it and dies without tearing anything down, as an
// interrupted run would.
func inHost(ctx context.Context, h *framework.Host, args ...string) (string, error) {
	cmd := h.Command(ctx, os.Args[0], args...)
	cmd.Env = append(cmd.Env, helperEnv+"=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("on host %s: helper %s: %w: %s", h.Name, strings.Join(args, " "), err, out)
	}
	return string(out), nil
}

// startInHost starts a helper inside h without waiting for it; it ends with
// the host.
func startInHost(ctx context.Context, h *framework.Host, args ...string) error {
	cmd := h.Command(ctx, os.Args[0], args...)
	cmd.Env = append(cmd.Env, helperEnv+"=1")
	return cmd.Start()
}

func runHelper(args []string) int {
	if len(args) != 2 {
		fmt.Fprintf(os.Stderr, "helper: want a command and one argument, got %q\n", args)
		return 2
	}
	var err error
	switch args[0] {
	case "get":
		err = helperGet(args[1])
	case "serve":
		err = helperServe(args[1])
	case "forward":
		err = helperForward(args[1])
	case "pgrep":
		err = helperProcesses(args[1], false)
	case "pkill":
		err = helperProcesses(args[1], true)
	case "crash":
		err = helperCrash(args[1])
	default:
		err = fmt.Errorf("unknown helper command %q", args[0])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		return 1
	}
	return 0
}

func helperGet(url string) error {
	c := &http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	fmt.Print(string(b))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return nil
}

// helperServe answers every request with the host name.
func helperServe(addr string) error {
	return http.ListenAndServe(addr, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		name, _ := os.Hostname()
		_, _ = io.WriteString(w, name)
	}))
}

// helperForward plays a TCP load balancer with one backend: it accepts on
// LISTEN and copies each connection to and from TARGET ("LISTEN>TARGET").
func helperForward(arg string) error {
	listen, target, ok := strings.Cut(arg, ">")
	if !ok {
		return fmt.Errorf("forward: want LISTEN>TARGET, got %q", arg)
	}
	l, err := net.Listen("tcp", listen)
	if err != nil {
		return err
	}
	for {
		in, err := l.Accept()
		if err != nil {
			return err
		}
		go func() {
			defer in.Close()
			out, err := net.DialTimeout("tcp", target, 5*time.Second)
			if err != nil {
				return
			}
			defer out.Close()
			go func() { _, _ = io.Copy(out, in) }()
			_, _ = io.Copy(in, out)
		}()
	}
}

// helperProcesses prints "PID CMDLINE" for each process whose command line
// contains text, and kills them when kill is set.
func helperProcesses(text string, kill bool) error {
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	self := os.Getpid()
	for _, d := range dirs {
		pid, err := strconv.Atoi(filepath.Base(d))
		if err != nil || pid == self {
			continue
		}
		b, err := os.ReadFile(filepath.Join(d, "cmdline"))
		if err != nil || len(b) == 0 {
			continue
		}
		cmdline := strings.TrimSpace(strings.ReplaceAll(string(b), "\x00", " "))
		if !strings.Contains(cmdline, text) {
			continue
		}
		fmt.Printf("%d %s\n", pid, cmdline)
		if kill {
			if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
				return err
			}
		}
	}
	return nil
}

func writeFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := atomicfile.Write(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// crashLabEnv carries the lab of the "crash" helper, as JSON.
const crashLabEnv = "KADM_E2E_CRASH_LAB"

func helperCrash(name string) error {
	lab := &framework.Lab{}
	if err := json.Unmarshal([]byte(os.Getenv(crashLabEnv)), lab); err != nil {
		return fmt.Errorf("%s: %w", crashLabEnv, err)
	}
	ctx := context.Background()
	h, err := lab.CreateHost(ctx, name)
	if err != nil {
		return err
	}
	if _, err := h.Run(ctx, "ctr", "--namespace=k8s.io", "run", "--detach", "--cgroup", "/"+h.Cgroup+"/crash",
		"registry.k8s.io/pause:3.10.2", "crash"); err != nil {
		return err
	}
	fmt.Println(h.Namespace)
	return syscall.Kill(os.Getpid(), syscall.SIGKILL)
}
