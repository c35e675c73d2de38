package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/kadm-project/kadm/test/e2e/framework"
)

// The sandbox's hosts, and so its node names.
const (
	controlPlaneHost = "demo-cp"
	workerHost       = "demo-worker"
)

const usage = `usage: sandbox [-lab kadm-demo|kadm-e2e] up|down|nodes|pods|exec [-host NAME] -- COMMAND...

  up     build what is missing (the upstream binaries once, kadm, the host init,
         the images), create a control-plane host and a worker host, run kadm init
         on the first and the join command it printed on the second, then print
         the nodes and the kube-system Pods; the hosts stay up
  nodes  print the sandbox cluster's nodes (as kubectl get nodes -o wide)
  pods   print the kube-system Pods (as kubectl get pods -n kube-system -o wide)
  exec   run a command inside a sandbox host (default demo-cp; kadm, crictl,
         ctr and systemctl are on its PATH)
  down   remove the sandbox hosts; with -lab kadm-e2e, the hosts an e2e run left
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sandbox", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage) }
	labName := fs.String("lab", "kadm-demo", "the lab to act on")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return 2
	}
	if os.Geteuid() != 0 {
		fmt.Fprintln(stderr, "sandbox: the sandbox hosts need root: they are namespaces, mounts and cgroups of this machine; run it as root (sudo make demo)")
		return 1
	}
	var lab *framework.Lab
	switch *labName {
	case "kadm-demo":
		lab = framework.DemoLab()
	case "kadm-e2e":
		lab = framework.E2ELab()
	default:
		fmt.Fprintf(stderr, "sandbox: unknown lab %q: use kadm-demo or kadm-e2e\n", *labName)
		return 2
	}
	bin := filepath.Join(os.TempDir(), *labName+"-bin")
	var err error
	switch fs.Arg(0) {
	case "up":
		err = up(ctx, lab, bin, stdout, stderr)
	case "down":
		if err = lab.Sweep(ctx); err == nil {
			err = os.RemoveAll(bin)
			fmt.Fprintf(stdout, "[sandbox] Removed every host of %s\n", lab.Name)
		}
	case "nodes", "pods":
		var h *framework.Host
		if h, err = lab.Attach(controlPlaneHost); err == nil {
			err = show(ctx, h, fs.Arg(0), stdout)
		}
	case "exec":
		err = execIn(ctx, lab, fs.Args()[1:], stdin, stdout, stderr)
	default:
		fs.Usage()
		return 2
	}
	if err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return exit.ExitCode()
		}
		fmt.Fprintf(stderr, "sandbox: %v\n", err)
		return 1
	}
	return 0
}

func up(ctx context.Context, lab *framework.Lab, bin string, stdout, stderr io.Writer) error {
	if hosts, err := lab.Namespaces(ctx); err == nil && len(hosts) > 0 {
		fmt.Fprintln(stdout, "[sandbox] Removing the previous sandbox")
	}
	if err := lab.Sweep(ctx); err != nil {
		return err
	}
	if err := ensureBinaries(ctx, stdout, stderr); err != nil {
		return err
	}
	if err := os.MkdirAll(bin, 0o755); err != nil {
		return err
	}
	kadmErr, err := lab.Prepare(ctx, bin, stdout)
	if err = errors.Join(kadmErr, err); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "[sandbox] Creating hosts %s and %s\n", controlPlaneHost, workerHost)
	cp, err := lab.CreateHost(ctx, controlPlaneHost)
	if err != nil {
		return err
	}
	worker, err := lab.CreateHost(ctx, workerHost)
	if err != nil {
		return err
	}
	ignores := ignoreFlags(stdout)
	initOut, err := runShown(ctx, cp, stdout, stderr, append([]string{"init", "--apiserver-advertise-address", cp.IP.String()}, ignores...))
	if err != nil {
		return keptFor(cp, stderr, fmt.Errorf("kadm init failed (%w)", err))
	}
	join := joinCommands(initOut)
	if join == "" {
		return errors.New("kadm init printed no join command")
	}
	fmt.Fprintf(stdout, "\n[sandbox] The join command kadm printed, run on %s:\n\n%s\n\n", worker.Name, join)
	first, _, _ := strings.Cut(join, "\n\n")
	joinArgs := strings.Fields(strings.ReplaceAll(first, `\`, " "))[1:]
	if _, err := runShown(ctx, worker, stdout, stderr, append(joinArgs, ignores...)); err != nil {
		return keptFor(worker, stderr, fmt.Errorf("kadm join failed (%w)", err))
	}
	client, err := adminClient(cp)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, "\n[sandbox] Waiting for both nodes to be Ready and the kube-system Pods to run")
	if err := waitSettled(ctx, client, []string{cp.Name, worker.Name}); err != nil {
		fmt.Fprintf(stdout, "[sandbox] WARNING: %v\n", err)
	}
	fmt.Fprintln(stdout, "\n[sandbox] The nodes of the cluster:")
	fmt.Fprintln(stdout)
	if err := show(ctx, cp, "nodes", stdout); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "\n[sandbox] The kube-system Pods:")
	fmt.Fprintln(stdout)
	if err := show(ctx, cp, "pods", stdout); err != nil {
		return err
	}
	fmt.Fprintf(stdout, `
[sandbox] The sandbox stays up.
  admin kubeconfig:  %s (server https://%s:6443)
  run kadm inside:   go run ./test/e2e/cmd/sandbox exec -- kadm token list
  the containers:    go run ./test/e2e/cmd/sandbox exec -host %s -- crictl ps
  nodes, Pods:       go run ./test/e2e/cmd/sandbox nodes (or pods)
  logs:              %s/var/log/kadm-e2e, %s/var/log/pods
  remove it:         make demo-clean
`, cp.Path("/etc/kubernetes/admin.conf"), cp.IP, worker.Name, cp.Path("/"), cp.Path("/"))
	return nil
}

// ensureBinaries builds the upstream binaries with hack/build-e2e-bins.sh,
// which says what it builds and skips what is up to date.
func ensureBinaries(ctx context.Context, stdout, stderr io.Writer) error {
	dir := framework.BinDir()
	if framework.CheckComponents(dir, framework.Components()...) != nil {
		fmt.Fprintf(stdout, "[sandbox] Building the upstream binaries into %s (once; a cold build takes 15-25 minutes on 2 cores)\n", dir)
	}
	root, err := framework.ModuleRoot(ctx)
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, filepath.Join(root, "hack", "build-e2e-bins.sh"), dir)
	cmd.Dir = root
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("hack/build-e2e-bins.sh: %w", err)
	}
	return nil
}

// ignoreFlags are the preflight ignores this machine needs, said once.
func ignoreFlags(stdout io.Writer) []string {
	checks, why := framework.PreflightIgnores()
	if len(checks) == 0 {
		return nil
	}
	fmt.Fprintf(stdout, "[sandbox] Ignoring preflight check %s: %s\n", strings.Join(checks, ","), why)
	return []string{"--ignore-preflight-errors=" + strings.Join(checks, ",")}
}

// runShown runs kadm in h, showing its output as it comes, and returns it.
func runShown(ctx context.Context, h *framework.Host, stdout, stderr io.Writer, args []string) (string, error) {
	fmt.Fprintf(stdout, "[sandbox] Running kadm %s on host %s\n", strings.Join(args, " "), h.Name)
	var out bytes.Buffer
	cmd := h.Command(ctx, "kadm", args...)
	cmd.Stdout = io.MultiWriter(stdout, &out)
	cmd.Stderr = io.MultiWriter(stderr, &out)
	err := cmd.Run()
	return out.String(), err
}

func keptFor(h *framework.Host, stderr io.Writer, err error) error {
	h.TailLogs(stderr, 30)
	return fmt.Errorf("%w; the hosts stay for inspection: a shell with `go run ./test/e2e/cmd/sandbox exec -host %s -- sh`, removal with `make demo-clean`", err, h.Name)
}

// waitSettled waits until the nodes are Ready and every kube-system Pod runs
// and is Ready.
func waitSettled(ctx context.Context, client kubernetes.Interface, nodes []string) error {
	return framework.WaitFor(ctx, 3*time.Minute, time.Second, "Ready nodes and running Pods", func(ctx context.Context) error {
		list, err := client.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
		if err != nil {
			return err
		}
		for _, n := range list.Items {
			if slices.Contains(nodes, n.Name) && nodeStatus(n) != "Ready" {
				return fmt.Errorf("node %s is %s", n.Name, nodeStatus(n))
			}
		}
		pods, err := client.CoreV1().Pods(metav1.NamespaceSystem).List(ctx, metav1.ListOptions{})
		if err != nil {
			return err
		}
		for _, p := range pods.Items {
			if ready, total := podReady(p); ready != total {
				return fmt.Errorf("pod %s has %d of %d containers ready (%s)", p.Name, ready, total, p.Status.Phase)
			}
		}
		return nil
	})
}

func execIn(ctx context.Context, lab *framework.Lab, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	host := controlPlaneHost
	if len(args) >= 2 && args[0] == "-host" {
		host, args = args[1], args[2:]
	}
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	if len(args) == 0 {
		return errors.New("exec: name a command, e.g. exec -- kadm version")
	}
	h, err := lab.Attach(host)
	if err != nil {
		return err
	}
	cmd := h.Command(ctx, args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, stdout, stderr
	return cmd.Run()
}

// joinCommands picks the join commands (with their continuation lines) out of
// kadm init's output.
func joinCommands(out string) string {
	var b strings.Builder
	inCommand := false
	for _, line := range strings.Split(out, "\n") {
		trimmed := strings.TrimSpace(line)
		if !inCommand && strings.Contains(trimmed, " join ") && strings.Contains(trimmed, "--token") {
			inCommand = true
		}
		if inCommand {
			b.WriteString(line + "\n")
			if !strings.HasSuffix(trimmed, `\`) {
				inCommand = false
				b.WriteString("\n")
			}
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

func adminClient(h *framework.Host) (kubernetes.Interface, error) {
	cfg, err := clientcmd.BuildConfigFromFlags("", h.Path("/etc/kubernetes/admin.conf"))
	if err != nil {
		return nil, err
	}
	cfg.Timeout = 15 * time.Second
	return kubernetes.NewForConfig(cfg)
}
