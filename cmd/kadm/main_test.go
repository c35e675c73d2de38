package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

var update = flag.Bool("update", false, "rewrite the scripts' cmp files with the actual output")

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"kadm": main, "kubeadm": main})
}

// TestCLI runs testdata/script/*.txtar against the real entry point.
func TestCLI(t *testing.T) {
	t.Parallel()
	testscript.Run(t, testscript.Params{
		Dir:           "testdata/script",
		UpdateScripts: *update,
		Cmds:          map[string]func(*testscript.TestScript, bool, []string){"exits": exits},
		Setup: func(env *testscript.Env) error {
			// No script's dry run may reach this machine's /etc/kubernetes/tmp.
			env.Setenv("KUBEADM_INIT_DRYRUN_DIR", filepath.Join(env.WorkDir, "dryrun"))
			env.Setenv("KUBEADM_JOIN_DRYRUN_DIR", filepath.Join(env.WorkDir, "dryrun"))
			return nil
		},
		Condition: func(cond string) (bool, error) {
			if cond == "root" {
				return os.Geteuid() == 0, nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
	})
}

// exits CODE PROGRAM [ARGS...] runs PROGRAM and asserts its exit code, which
// testscript's own exec cannot tell apart beyond zero and non-zero.
func exits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits CODE PROGRAM [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exits: bad code %q", args[0])
	}
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("exits: %v", err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited with %d, want %d", args[1], got, want)
	}
}

// TestInterruptedDryRun: Ctrl-C in the middle of a dry run still removes
// the dry run's directory: the signal cancels the run's context, and the
// run's data is closed on the way out. The run is chrooted into a directory
// of the test's (--rootfs), so that its /etc/kubernetes/tmp is the test's;
// RSA-4096 keys keep its certs phase busy for seconds.
func TestInterruptedDryRun(t *testing.T) {
	t.Parallel()
	if os.Geteuid() != 0 {
		t.Skip("chroot needs root")
	}
	root := t.TempDir()
	cfg := "apiVersion: kubeadm.k8s.io/v1beta4\nkind: InitConfiguration\nlocalAPIEndpoint:\n  advertiseAddress: 10.99.0.1\nnodeRegistration:\n  name: cp\n" +
		"---\napiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\nencryptionAlgorithm: RSA-4096\n"
	if err := os.WriteFile(filepath.Join(root, "kubeadm.yaml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("kadm", "--rootfs", root, "init", "--dry-run", "--config", "/kubeadm.yaml", "--skip-phases", "preflight")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(stdout)
	var dir string
	for lines.Scan() {
		line := lines.Text()
		if m := regexp.MustCompile(`^\[dryrun\] Using dry-run directory (\S+),`).FindStringSubmatch(line); m != nil {
			dir = m[1]
		}
		if strings.HasPrefix(line, "[certs] Using certificateDir folder") {
			break
		}
	}
	if dir == "" {
		_ = cmd.Process.Kill()
		t.Fatalf("no dry-run directory announced before the certs phase; stderr:\n%s", stderr.String())
	}
	if _, err := os.Stat(filepath.Join(root, dir)); err != nil {
		t.Fatalf("the dry-run directory is not there while the run goes on: %v", err)
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, stdout)
	err = cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 130 {
		t.Fatalf("interrupted run ended with %v, want exit code 130; stderr:\n%s", err, stderr.String())
	}
	if entries, err := os.ReadDir(root); err != nil || len(entries) != 1 {
		t.Errorf("after the interrupted dry run %s holds %v (%v), want only kubeadm.yaml", root, entries, err)
	}
}
