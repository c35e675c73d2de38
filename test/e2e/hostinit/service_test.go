package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// ctl runs a systemctl command line against m.
func ctl(m *manager, args ...string) (string, string, int) {
	var out, errOut strings.Builder
	code := m.systemctl(args, "the test", &out, &errOut)
	return out.String(), errOut.String(), code
}

func waitUntil(t *testing.T, what string, ok func() error) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := ok()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: %v", what, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestManager runs real processes under the manager: a crash-looping service is
// restarted as Restart= says, a long-running one is restarted and stopped with
// a new main process each time, unknown units and a failing isolation check
// are refused with systemctl's answers.
func TestManager(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{
		"usr/lib/systemd/system/loop.service":  "[Service]\nExecStart=/bin/sh -c 'echo once; exit 3'\nRestart=always\nRestartSec=0.05\n[Install]\nWantedBy=multi-user.target\n",
		"usr/lib/systemd/system/sleep.service": "[Unit]\nDescription=sleeper\n[Service]\nExecStart=/bin/sleep 60\nTimeoutStopSec=5\n",
	})
	var refuse error
	m := newManager(root, filepath.Join(root, "log"), []string{"loop.service", "sleep.service"}, func() error { return refuse })

	if out, _, code := ctl(m, "is-enabled", "loop"); code != exitFailed || strings.TrimSpace(out) != "disabled" {
		t.Errorf("is-enabled loop before enable: %q, %d", out, code)
	}
	if _, _, code := ctl(m, "enable", "loop.service"); code != 0 {
		t.Fatalf("enable loop: exit %d", code)
	}
	if out, _, code := ctl(m, "is-enabled", "loop"); code != 0 || strings.TrimSpace(out) != "enabled" {
		t.Errorf("is-enabled loop after enable: %q, %d", out, code)
	}
	if out, _, code := ctl(m, "is-enabled", "sleep"); code != 0 || strings.TrimSpace(out) != "static" {
		t.Errorf("is-enabled of a unit without [Install]: %q, %d", out, code)
	}

	m.boot()
	waitUntil(t, "loop to be restarted twice", func() error {
		b, err := os.ReadFile(filepath.Join(root, "log", "loop.log"))
		if err != nil {
			return err
		}
		if n := strings.Count(string(b), "once\n"); n < 3 {
			return fmt.Errorf("ran %d times", n)
		}
		return nil
	})
	if out, _, _ := ctl(m, "is-active", "loop"); !strings.Contains("active activating", strings.TrimSpace(out)) {
		t.Errorf("is-active of a crash-looping service: %q", out)
	}
	if _, _, code := ctl(m, "stop", "loop"); code != 0 {
		t.Errorf("stop loop: exit %d", code)
	}
	if out, _, code := ctl(m, "is-active", "loop"); code != exitInactive || strings.TrimSpace(out) != "inactive" {
		t.Errorf("is-active after stop: %q, %d", out, code)
	}

	if _, _, code := ctl(m, "start", "sleep"); code != 0 {
		t.Fatalf("start sleep: exit %d", code)
	}
	_, _, first := m.service("sleep").mainPID()
	if out, _, code := ctl(m, "status", "sleep"); code != 0 || !strings.Contains(out, "sleeper") || !strings.Contains(out, fmt.Sprintf("Main PID: %d (sleep)", first)) {
		t.Errorf("status sleep: %d\n%s", code, out)
	}
	if _, _, code := ctl(m, "restart", "sleep"); code != 0 {
		t.Fatalf("restart sleep: exit %d", code)
	}
	if _, _, second := m.service("sleep").mainPID(); second == first || second <= 1 {
		t.Errorf("restart kept main process %d (now %d)", first, second)
	}
	if _, _, code := ctl(m, "stop", "sleep"); code != 0 {
		t.Errorf("stop sleep: exit %d", code)
	}
	b, err := os.ReadFile(filepath.Join(root, "log", "sleep.log"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"systemctl restart requested by the test", "stopping: SIGTERM", "killed by terminated"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("the journal lacks %q:\n%s", want, b)
		}
	}

	if _, errOut, code := ctl(m, "start", "nonesuch"); code != exitNoUnit || !strings.Contains(errOut, "nonesuch.service could not be found") {
		t.Errorf("start of an unknown unit: %d %q", code, errOut)
	}
	if out, _, code := ctl(m, "is-active", "nonesuch"); code != exitInactive || strings.TrimSpace(out) != "inactive" {
		t.Errorf("is-active of an unknown unit: %q, %d", out, code)
	}

	refuse = errors.New("not isolated")
	if _, errOut, code := ctl(m, "start", "sleep"); code != exitFailed || !strings.Contains(errOut, "refusing to start sleep.service: not isolated") {
		t.Errorf("start while the check fails: %d %q", code, errOut)
	}
	if out, _, _ := ctl(m, "is-failed", "sleep"); strings.TrimSpace(out) != "failed" {
		t.Errorf("a refused service is %q, want failed", out)
	}
}

// TestReloadAddsLocalUnits: a service file written to the host's
// /etc/systemd/system is unknown until daemon-reload and then starts, as on
// systemd; one in /usr/lib/systemd/system, which may be the machine's, is not
// picked up.
func TestReloadAddsLocalUnits(t *testing.T) {
	root := t.TempDir()
	m := newManager(root, filepath.Join(root, "log"), nil, func() error { return nil })
	writeTree(t, root, map[string]string{
		"etc/systemd/system/local.service":    "[Service]\nExecStart=/bin/sleep 60\nTimeoutStopSec=5\n",
		"usr/lib/systemd/system/dist.service": "[Service]\nExecStart=/bin/sleep 60\n",
	})
	if _, errOut, code := ctl(m, "start", "local"); code != exitNoUnit || !strings.Contains(errOut, "Unit local.service could not be found.") {
		t.Errorf("start before daemon-reload: %q, exit %d", errOut, code)
	}
	if _, errOut, code := ctl(m, "daemon-reload"); code != 0 || errOut != "" {
		t.Fatalf("daemon-reload: %q, exit %d", errOut, code)
	}
	if _, errOut, code := ctl(m, "start", "local"); code != 0 {
		t.Fatalf("start after daemon-reload: %q, exit %d", errOut, code)
	}
	defer ctl(m, "stop", "local")
	if out, _, code := ctl(m, "is-active", "local"); code != 0 || strings.TrimSpace(out) != "active" {
		t.Errorf("is-active local: %q, exit %d", out, code)
	}
	if _, _, code := ctl(m, "start", "dist"); code != exitNoUnit {
		t.Errorf("start of a unit outside /etc/systemd/system: exit %d, want %d", code, exitNoUnit)
	}
}

// TestRedactedCommand: the journal names who asked systemctl without the
// credentials on its command line.
func TestRedactedCommand(t *testing.T) {
	argv := []string{"kadm", "join", "10.0.0.1:6443", "--token", "abcdef.0123456789abcdef",
		"--certificate-key=" + strings.Repeat("ab", 32), "--discovery-token-ca-cert-hash", "sha256:00", "--control-plane"}
	got := redactedCommand(argv)
	want := "kadm join 10.0.0.1:6443 --token <redacted> --certificate-key=<redacted> --discovery-token-ca-cert-hash sha256:00 --control-plane"
	if got != want {
		t.Errorf("redactedCommand = %q, want %q", got, want)
	}
	if got := redactedCommand([]string{"kubeadm", "token", "create", "abcdef.0123456789abcdef"}); got != "kubeadm token create <redacted>" {
		t.Errorf("a positional token: %q", got)
	}
}
