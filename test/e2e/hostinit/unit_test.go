package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// writeTree writes files (path relative to root: content) under root.
func writeTree(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for p, content := range files {
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestLoadUnitWithKubeadmDropIn(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	unit, err := os.ReadFile("../../../packaging/systemd/kubelet.service")
	if err != nil {
		t.Fatal(err)
	}
	dropIn, err := os.ReadFile("../../../packaging/systemd/kubelet.service.d/10-kubeadm.conf")
	if err != nil {
		t.Fatal(err)
	}
	writeTree(t, root, map[string]string{
		"usr/lib/systemd/system/kubelet.service":                   string(unit),
		"usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf": string(dropIn),
		"var/lib/kubelet/kubeadm-flags.env":                        "KUBELET_KUBEADM_ARGS=\"--container-runtime-endpoint=unix:///run/containerd/containerd.sock --node-ip=10.77.1.2\"\n",
		"etc/default/kubelet":                                      "# the operator's\nKUBELET_EXTRA_ARGS='--v=2'\n",
	})
	u, err := loadUnit(root, "kubelet.service")
	if err != nil {
		t.Fatal(err)
	}
	if u.Restart != "always" || u.RestartSec != time.Second {
		t.Errorf("Restart=%s RestartSec=%s, want always and 1s", u.Restart, u.RestartSec)
	}
	if !slices.Equal(u.WantedBy, []string{"multi-user.target"}) {
		t.Errorf("WantedBy %q", u.WantedBy)
	}
	wantFiles := []string{"/usr/lib/systemd/system/kubelet.service", "/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf"}
	if !slices.Equal(u.Files, wantFiles) {
		t.Errorf("files %q, want %q", u.Files, wantFiles)
	}
	env, err := u.environment(root)
	if err != nil {
		t.Fatal(err)
	}
	argv, err := expandCommand(u.ExecStart[0].Line, env)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"/usr/bin/kubelet",
		"--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf", "--kubeconfig=/etc/kubernetes/kubelet.conf",
		"--config=/var/lib/kubelet/config.yaml",
		"--container-runtime-endpoint=unix:///run/containerd/containerd.sock", "--node-ip=10.77.1.2",
		"--v=2"}
	if !slices.Equal(argv, want) {
		t.Errorf("the kubelet starts as\n%q\nwant\n%q", argv, want)
	}

	// Without the environment files (before kadm ran), their variables vanish.
	if err := os.Remove(filepath.Join(root, "var/lib/kubelet/kubeadm-flags.env")); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(root, "etc/default/kubelet")); err != nil {
		t.Fatal(err)
	}
	env, err = u.environment(root)
	if err != nil {
		t.Fatal(err)
	}
	argv, err = expandCommand(u.ExecStart[0].Line, env)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(argv, want[:4]) {
		t.Errorf("without the environment files the kubelet starts as %q, want %q", argv, want[:4])
	}
}

func TestLoadUnitOverrides(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	writeTree(t, root, map[string]string{
		"usr/lib/systemd/system/x.service": "[Unit]\nDescription=x\n[Service]\nExecStartPre=-/sbin/modprobe overlay\nExecStart=/usr/bin/x \\\n  --a\nKillMode=process\nRestart=on-failure\nRestartSec=5\nLimitNOFILE=infinity\n",
		// The same drop-in name in a stronger directory replaces the weaker one.
		"usr/lib/systemd/system/x.service.d/20-b.conf": "[Service]\nEnvironment=B=weak\n",
		"etc/systemd/system/x.service.d/20-b.conf":     "[Service]\nEnvironment=\"B=strong one\" C=c\n",
		"usr/lib/systemd/system/x.service.d/10-a.conf": "[Service]\nExecStart=\nExecStart=/usr/bin/y ${B} $C\n",
	})
	u, err := loadUnit(root, "x.service")
	if err != nil {
		t.Fatal(err)
	}
	if len(u.ExecStart) != 1 || u.ExecStart[0].Line != "/usr/bin/y ${B} $C" {
		t.Errorf("ExecStart %+v, want the drop-in's", u.ExecStart)
	}
	if len(u.ExecStartPre) != 1 || !u.ExecStartPre[0].IgnoreFailure || u.ExecStartPre[0].Line != "/sbin/modprobe overlay" {
		t.Errorf("ExecStartPre %+v", u.ExecStartPre)
	}
	if u.KillMode != "process" || u.Restart != "on-failure" || u.RestartSec != 5*time.Second || u.Description != "x" {
		t.Errorf("unit %+v", u)
	}
	if !slices.Contains(u.Ignored, "LimitNOFILE=infinity") {
		t.Errorf("ignored directives %q lack LimitNOFILE", u.Ignored)
	}
	env, err := u.environment(root)
	if err != nil {
		t.Fatal(err)
	}
	argv, err := expandCommand(u.ExecStart[0].Line, env)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"/usr/bin/y", "strong one", "c"}; !slices.Equal(argv, want) {
		t.Errorf("argv %q, want %q", argv, want)
	}
}

func TestLoadUnitErrors(t *testing.T) {
	t.Parallel()
	for name, content := range map[string]string{
		"no ExecStart":     "[Service]\nRestart=always\n",
		"bad Restart":      "[Service]\nExecStart=/x\nRestart=sometimes\n",
		"not key=value":    "[Service]\nExecStart=/x\nnonsense\n",
		"bad Environment=": "[Service]\nExecStart=/x\nEnvironment=NOVALUE\n",
	} {
		root := t.TempDir()
		writeTree(t, root, map[string]string{"usr/lib/systemd/system/u.service": content})
		if _, err := loadUnit(root, "u.service"); err == nil {
			t.Errorf("%s: loadUnit succeeded", name)
		}
	}
	if _, err := loadUnit(t.TempDir(), "missing.service"); err == nil {
		t.Errorf("a missing unit loaded")
	}
}

func TestShouldRestart(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		restart         string
		clean, signaled bool
		want            bool
	}{
		{"always", true, false, true},
		{"no", false, false, false},
		{"on-failure", true, false, false},
		{"on-failure", false, false, true},
		{"on-success", true, false, true},
		{"on-abnormal", false, true, true},
		{"on-abnormal", false, false, false},
	} {
		u := &unit{Restart: tc.restart}
		if got := u.shouldRestart(tc.clean, tc.signaled); got != tc.want {
			t.Errorf("Restart=%s clean=%t signaled=%t: %t, want %t", tc.restart, tc.clean, tc.signaled, got, tc.want)
		}
	}
}

func TestSelectMode(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		argv []string
		mode string
		rest string
	}{
		{[]string{"/tmp/x/systemctl", "restart", "kubelet"}, "systemctl", "restart kubelet"},
		{[]string{"/tmp/hostinit", "init", "--hostname=a"}, "init", "--hostname=a"},
		{[]string{"/tmp/hostinit"}, "", ""},
	} {
		mode, rest := selectMode(tc.argv)
		if mode != tc.mode || strings.Join(rest, " ") != tc.rest {
			t.Errorf("selectMode(%q) = %q, %q", tc.argv, mode, rest)
		}
	}
}
