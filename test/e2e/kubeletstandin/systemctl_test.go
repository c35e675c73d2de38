package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestEnvFileArgs(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, content string
		want          []string
	}{
		{"kubeadm's file", `KUBELET_KUBEADM_ARGS="--hostname-override=node-a --node-ip=10.0.0.2"` + "\n", []string{"--hostname-override=node-a", "--node-ip=10.0.0.2"}},
		{"single quotes", "KUBELET_KUBEADM_ARGS='--v=2'\n", []string{"--v=2"}},
		{"other variables and comments", "# comment\nOTHER=--x\nKUBELET_KUBEADM_ARGS=--a --b\n", []string{"--a", "--b"}},
		{"empty", `KUBELET_KUBEADM_ARGS=""` + "\n", []string{}},
		{"absent variable", "OTHER=1\n", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "kubeadm-flags.env")
			if err := os.WriteFile(path, []byte(tc.content), 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := envFileArgs(path, "KUBELET_KUBEADM_ARGS")
			if err != nil || !slices.Equal(got, tc.want) || (got == nil) != (tc.want == nil) {
				t.Errorf("envFileArgs = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
	if got, err := envFileArgs(filepath.Join(t.TempDir(), "missing"), "X"); got != nil || err != nil {
		t.Errorf("a missing file gives %q, %v; want nothing, as systemd's EnvironmentFile=-", got, err)
	}
}

// TestServiceStates drives the kubelet unit without starting it: is-active,
// is-enabled, enable and disable answer as systemctl does, with its codes.
func TestServiceStates(t *testing.T) {
	t.Parallel()
	s := kubeletService{stateDir: t.TempDir()}
	for _, tc := range []struct {
		verb, unit string
		wantCode   int
		wantOut    string
	}{
		{"is-active", "kubelet", exitInactive, "inactive\n"},
		{"is-enabled", "kubelet.service", 0, "enabled\n"},
		{"disable", "kubelet", 0, ""},
		{"is-enabled", "kubelet", exitFailed, "disabled\n"},
		{"enable", "kubelet", 0, ""},
		{"is-enabled", "kubelet", 0, "enabled\n"},
		{"status", "kubelet", exitInactive, ""},
		{"is-active", "containerd", exitInactive, "inactive\n"},
		{"status", "containerd", exitNoUnit, ""},
		{"stop", "kubelet", 0, ""},
	} {
		var out bytes.Buffer
		code := s.do(tc.verb, strings.TrimSuffix(tc.unit, ".service"), false, &out)
		if code != tc.wantCode || (tc.wantOut != "" && out.String() != tc.wantOut) {
			t.Errorf("systemctl %s %s: exit %d, %q; want exit %d, %q", tc.verb, tc.unit, code, out.String(), tc.wantCode, tc.wantOut)
		}
	}
}

// TestServiceLifecycle starts a program in the kubelet's place, as the
// harness does through the host's PATH, and stops it again.
func TestServiceLifecycle(t *testing.T) {
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Skip("no sleep(1) to stand in for the kubelet")
	}
	bin := t.TempDir()
	script := "#!/bin/sh\nexec " + sleep + " 300\n"
	if err := os.WriteFile(filepath.Join(bin, "kubelet"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+":"+os.Getenv("PATH"))
	s := kubeletService{stateDir: t.TempDir()}
	var out bytes.Buffer
	if code := s.do("restart", "kubelet", false, &out); code != 0 {
		t.Fatalf("restart: exit %d", code)
	}
	p, ok := s.running()
	if !ok {
		t.Fatal("the kubelet does not run after a restart")
	}
	t.Cleanup(func() { _ = stopAll([]procID{p}, 0) })
	if code := s.do("is-active", "kubelet", false, &out); code != 0 {
		t.Errorf("is-active after start: exit %d", code)
	}
	if code := s.do("stop", "kubelet", false, &out); code != 0 {
		t.Fatalf("stop: exit %d", code)
	}
	if p.alive() {
		t.Errorf("pid %d runs after stop", p.PID)
	}
	if code := s.do("is-active", "kubelet", false, &out); code != exitInactive {
		t.Errorf("is-active after stop: exit %d, want %d", code, exitInactive)
	}
}

func TestSelectMode(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		argv     []string
		mode     string
		wantArgs []string
	}{
		{[]string{"/tmp/bin/kubelet-standin", "kubelet", "--version"}, "kubelet", []string{"--version"}},
		{[]string{"/usr/bin/systemctl", "restart", "kubelet"}, "systemctl", []string{"restart", "kubelet"}},
		{[]string{"kubelet", "--config=x"}, "kubelet", []string{"--config=x"}},
		{[]string{"kubelet-standin"}, "", nil},
	} {
		mode, args := selectMode(tc.argv)
		if mode != tc.mode || !slices.Equal(args, tc.wantArgs) {
			t.Errorf("selectMode(%q) = %q %q, want %q %q", tc.argv, mode, args, tc.mode, tc.wantArgs)
		}
	}
}
