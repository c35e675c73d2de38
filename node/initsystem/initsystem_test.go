package initsystem

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"testing"
)

// fakeHost answers commands from a script and records every call.
type fakeHost struct {
	path  []string          // commands on PATH
	out   map[string]string // output per command line
	fails map[string]bool   // command lines that exit non-zero
	calls []string
}

func (h *fakeHost) lookPath(file string) (string, error) {
	if slices.Contains(h.path, file) {
		return "/usr/bin/" + file, nil
	}
	return "", fs.ErrNotExist
}

func (h *fakeHost) run(_ context.Context, name string, args ...string) ([]byte, error) {
	line := strings.Join(append([]string{name}, args...), " ")
	h.calls = append(h.calls, line)
	var err error
	if h.fails[line] {
		err = errors.New("exit status 1")
	}
	return []byte(h.out[line]), err
}

func TestDetect(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		path    []string
		want    string
		wantErr error
	}{
		{name: "systemd", path: []string{"systemctl"}, want: "systemd"},
		{name: "systemd wins over openrc", path: []string{"systemctl", "openrc", "rc-service", "rc-update"}, want: "systemd"},
		{name: "openrc", path: []string{"openrc", "rc-service", "rc-update"}, want: "openrc"},
		{name: "openrc without rc-update", path: []string{"openrc", "rc-service"}, wantErr: fs.ErrNotExist},
		{name: "none", wantErr: ErrNoInitSystem},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := &fakeHost{path: tt.path}
			sys, err := Detect(h.lookPath, h.run)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Detect() error = %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr != nil {
				return
			}
			if sys.Name() != tt.want {
				t.Errorf("Detect() = %s, want %s", sys.Name(), tt.want)
			}
		})
	}
}

func TestRestart(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		host      *fakeHost
		want      Outcome
		wantCalls []string
	}{
		{
			name:      "systemd reloads units then restarts",
			host:      &fakeHost{path: []string{"systemctl"}},
			want:      Outcome{StartCommand: "systemctl start kubelet.service"},
			wantCalls: []string{"systemctl status kubelet", "systemctl daemon-reload", "systemctl restart kubelet"},
		},
		{
			name: "systemd without a kubelet unit still tries",
			host: &fakeHost{path: []string{"systemctl"}, out: map[string]string{
				"systemctl status kubelet": "Unit kubelet.service could not be found.",
			}},
			want:      Outcome{Missing: true, StartCommand: "systemctl start kubelet.service"},
			wantCalls: []string{"systemctl status kubelet", "systemctl daemon-reload", "systemctl restart kubelet"},
		},
		{
			name: "failed daemon-reload stops before the restart",
			host: &fakeHost{path: []string{"systemctl"},
				out:   map[string]string{"systemctl daemon-reload": "System has not been booted with systemd as init system (PID 1). Can't operate.\n"},
				fails: map[string]bool{"systemctl daemon-reload": true}},
			want: Outcome{
				Err:          errors.New(`"systemctl daemon-reload" failed: exit status 1: System has not been booted with systemd as init system (PID 1). Can't operate.`),
				StartCommand: "systemctl start kubelet.service",
			},
			wantCalls: []string{"systemctl status kubelet", "systemctl daemon-reload"},
		},
		{
			name:      "openrc",
			host:      &fakeHost{path: []string{"openrc", "rc-service", "rc-update"}},
			want:      Outcome{StartCommand: "rc-service kubelet start"},
			wantCalls: []string{"rc-service kubelet status", "rc-service kubelet restart"},
		},
		{
			name: "no init system runs nothing",
			host: &fakeHost{},
			want: Outcome{NoInitSystem: true},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sys, err := Detect(tt.host.lookPath, tt.host.run)
			if err != nil && !errors.Is(err, ErrNoInitSystem) {
				t.Fatal(err)
			}
			got := Restart(context.Background(), sys, "kubelet")
			if fmt.Sprint(got.Err) != fmt.Sprint(tt.want.Err) {
				t.Errorf("Err = %v, want %v", got.Err, tt.want.Err)
			}
			got.Err, tt.want.Err = nil, nil
			if got != tt.want {
				t.Errorf("Restart() = %+v, want %+v", got, tt.want)
			}
			if !slices.Equal(tt.host.calls, tt.wantCalls) {
				t.Errorf("commands run:\n%q\nwant:\n%q", tt.host.calls, tt.wantCalls)
			}
		})
	}
}

func TestQueries(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                    string
		host                    *fakeHost
		exists, enabled, active bool
		enable                  string
	}{
		{
			name:   "systemd enabled and active",
			host:   &fakeHost{path: []string{"systemctl"}, out: map[string]string{"systemctl is-active kubelet": "active\n"}},
			exists: true, enabled: true, active: true, enable: "systemctl enable kubelet.service",
		},
		{
			name:   "systemd crash looping counts as active",
			host:   &fakeHost{path: []string{"systemctl"}, out: map[string]string{"systemctl is-active kubelet": "activating\n"}, fails: map[string]bool{"systemctl is-active kubelet": true}},
			exists: true, enabled: true, active: true, enable: "systemctl enable kubelet.service",
		},
		{
			name: "systemd disabled, inactive, unknown unit",
			host: &fakeHost{path: []string{"systemctl"},
				out:   map[string]string{"systemctl status kubelet": "○ kubelet.service\n     Loaded: not-found (Reason: Unit kubelet.service not found.)", "systemctl is-active kubelet": "inactive\n"},
				fails: map[string]bool{"systemctl is-enabled kubelet": true, "systemctl is-active kubelet": true}},
			enable: "systemctl enable kubelet.service",
		},
		{
			name: "openrc enabled and started",
			host: &fakeHost{path: []string{"openrc", "rc-service", "rc-update"}, out: map[string]string{
				"rc-update show default":    "              kubelet | default\n                 sshd | default\n",
				"rc-service kubelet status": " * status: started",
			}},
			exists: true, enabled: true, active: true, enable: "rc-update add kubelet default",
		},
		{
			name: "openrc stopped and only a similarly named service enabled",
			host: &fakeHost{path: []string{"openrc", "rc-service", "rc-update"}, out: map[string]string{
				"rc-update show default":    "       kubelet-helper | default\n",
				"rc-service kubelet status": " * status: stopped",
			}},
			exists: true, enable: "rc-update add kubelet default",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sys, err := Detect(tt.host.lookPath, tt.host.run)
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			if got := sys.Exists(ctx, "kubelet"); got != tt.exists {
				t.Errorf("Exists = %t, want %t", got, tt.exists)
			}
			if got := sys.IsEnabled(ctx, "kubelet"); got != tt.enabled {
				t.Errorf("IsEnabled = %t, want %t", got, tt.enabled)
			}
			if got := sys.IsActive(ctx, "kubelet"); got != tt.active {
				t.Errorf("IsActive = %t, want %t", got, tt.active)
			}
			if got := sys.EnableCommand("kubelet"); got != tt.enable {
				t.Errorf("EnableCommand = %q, want %q", got, tt.enable)
			}
		})
	}
}

func TestStop(t *testing.T) {
	t.Parallel()
	h := &fakeHost{path: []string{"systemctl"}}
	sys, err := Detect(h.lookPath, h.run)
	if err != nil {
		t.Fatal(err)
	}
	if err := Stop(context.Background(), sys, "kubelet"); err != nil {
		t.Fatal(err)
	}
	if want := []string{"systemctl stop kubelet"}; !slices.Equal(h.calls, want) {
		t.Errorf("commands run: %q, want %q", h.calls, want)
	}
	if err := Stop(context.Background(), nil, "kubelet"); err != nil {
		t.Errorf("Stop without an init system = %v, want nil", err)
	}
}
