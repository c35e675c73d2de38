package initphases

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/node/initsystem"
	"github.com/kadm-project/kadm/node/kubelet"
	"github.com/kadm-project/kadm/node/machine"
	"github.com/kadm-project/kadm/phases/workflow"
)

// newKubeletTestData is the shared test data for a CRI-O node, a socket
// that differs from the default so that the files show where it came from.
func newKubeletTestData(t *testing.T) *testData {
	t.Helper()
	d := newTestData(t)
	d.cfg.NodeRegistration.Name = "node-under-test"
	d.cfg.NodeRegistration.CRISocket = config.CRISocketCRIO
	return d
}

// fakeSystemd is systemd as seen through systemctl: it records each
// command and fails those listed.
type fakeSystemd struct {
	mu       sync.Mutex
	calls    []string
	fail     map[string]bool
	resolved bool
}

func (f *fakeSystemd) run(_ context.Context, name string, args ...string) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	line := strings.Join(append([]string{name}, args...), " ")
	f.calls = append(f.calls, line)
	if f.fail[line] {
		return []byte("Failed to restart kubelet.service: Unit kubelet.service not found.\n"), errors.New("exit status 5")
	}
	if line == "systemctl is-active systemd-resolved" && f.resolved {
		return []byte("active\n"), nil
	}
	return nil, nil
}

func (f *fakeSystemd) detect() (initsystem.InitSystem, error) {
	return initsystem.Systemd{Run: f.run}, nil
}

func noInitSystem() (initsystem.InitSystem, error) { return nil, initsystem.ErrNoInitSystem }

func printed(run func(ctx context.Context) error) (string, error) {
	var out bytes.Buffer
	err := run(workflow.WithReporter(context.Background(), &workflow.TextReporter{Out: &out}))
	return out.String(), err
}

func TestKubeletStart(t *testing.T) {
	t.Parallel()
	restartCalls := []string{"systemctl is-active systemd-resolved", "systemctl stop kubelet",
		"systemctl status kubelet", "systemctl daemon-reload", "systemctl restart kubelet"}
	tests := []struct {
		name      string
		dryRun    bool
		systemd   *fakeSystemd
		wantCalls []string
		wantOut   []string
		notOut    []string
	}{
		{
			name:      "restarts the kubelet through systemd",
			systemd:   &fakeSystemd{},
			wantCalls: restartCalls,
			wantOut:   []string{"[kubelet-start] Starting the kubelet\n"},
			notOut:    []string{"WARNING", "No supported init system"},
		},
		{
			name:      "dry run changes no service",
			dryRun:    true,
			systemd:   &fakeSystemd{},
			wantCalls: []string{"systemctl is-active systemd-resolved"},
			notOut:    []string{"Starting the kubelet"},
		},
		{
			name:      "a failed restart only warns",
			systemd:   &fakeSystemd{fail: map[string]bool{"systemctl restart kubelet": true}},
			wantCalls: restartCalls,
			wantOut: []string{
				"[kubelet-start] WARNING: unable to start the kubelet service: [\"systemctl restart kubelet\" failed: exit status 5: Failed to restart kubelet.service: Unit kubelet.service not found.]\n",
				"[kubelet-start] Please ensure kubelet is reloaded and running manually (e.g. 'systemctl start kubelet.service').\n",
			},
		},
		{
			name: "no init system tells the user to start the kubelet",
			wantOut: []string{
				"[kubelet-start] No supported init system detected, won't make sure the kubelet is running properly.\n",
				"[kubelet-start] Start the kubelet yourself, with --config=<kubelet>/config.yaml and the flags in $KUBELET_KUBEADM_ARGS from <kubelet>/kubeadm-flags.env\n",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := newKubeletTestData(t)
			d.dryRun = tt.dryRun
			var detect func() (initsystem.InitSystem, error) = noInitSystem
			if tt.systemd != nil {
				detect = tt.systemd.detect
			}
			out, err := printed(func(ctx context.Context) error { return runKubeletStart(ctx, d, machine.Host{InitSystem: detect}) })
			if err != nil {
				t.Fatal(err)
			}
			out = strings.ReplaceAll(out, d.kubeletDir, "<kubelet>")
			wantOut := append([]string{
				"[kubelet-start] Writing kubelet environment file with flags to file \"<kubelet>/kubeadm-flags.env\"\n" +
					"[kubelet-start] Writing kubelet configuration to file \"<kubelet>/instance-config.yaml\"\n" +
					"[kubelet-start] Writing kubelet configuration to file \"<kubelet>/config.yaml\"\n",
			}, tt.wantOut...)
			for _, w := range wantOut {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			for _, n := range tt.notOut {
				if strings.Contains(out, n) {
					t.Errorf("output has %q:\n%s", n, out)
				}
			}
			if tt.systemd != nil && !slices.Equal(tt.systemd.calls, tt.wantCalls) {
				t.Errorf("systemctl calls:\n%q\nwant:\n%q", tt.systemd.calls, tt.wantCalls)
			}
			instance, err := os.ReadFile(filepath.Join(d.kubeletDir, kubelet.InstanceConfigFileName))
			if err != nil || string(instance) != "containerRuntimeEndpoint: \"unix:///var/run/crio/crio.sock\"\n" {
				t.Errorf("instance-config.yaml = %q, %v", instance, err)
			}
			cfg, err := os.ReadFile(filepath.Join(d.kubeletDir, kubelet.ConfigFileName))
			if err != nil || !strings.Contains(string(cfg), "containerRuntimeEndpoint: unix:///var/run/crio/crio.sock\n") {
				t.Errorf("config.yaml = %s, %v", cfg, err)
			}
		})
	}
}

// TestKubeletStartSources: the config file's KubeletConfiguration and the
// --patches for it both reach config.yaml, the patch applied once.
func TestKubeletStartSources(t *testing.T) {
	t.Parallel()
	d := newKubeletTestData(t)
	d.kubeletDoc = []byte("apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nmaxPods: 42\n")
	d.usePatchFiles(t, map[string]string{kubelet.PatchTarget + "+merge.yaml": "serializeImagePulls: false\n"})
	systemd := &fakeSystemd{resolved: true}
	out, err := printed(func(ctx context.Context) error {
		return runKubeletStart(ctx, d, machine.Host{InitSystem: systemd.detect})
	})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := os.ReadFile(filepath.Join(d.kubeletDir, kubelet.ConfigFileName))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"maxPods: 42\n", "serializeImagePulls: false\n", "resolvConf: /run/systemd/resolve/resolv.conf\n"} {
		if !strings.Contains(string(cfg), want) {
			t.Errorf("config.yaml lacks %q:\n%s", want, cfg)
		}
	}
	applied := "[patches] Applied patch of type \"application/merge-patch+json\" to target \"" + kubelet.PatchTarget + "\"\n"
	if n := strings.Count(out, "[patches] "); n != 1 || !strings.Contains(out, applied) {
		t.Errorf("output has %d patch lines, want exactly %q:\n%s", n, applied, out)
	}
}

// TestKubeletStartBadPatchesChangeNothing: --patches that cannot be read or
// applied fail the phase before the kubelet is stopped or a file written.
func TestKubeletStartBadPatchesChangeNothing(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		files   map[string]string // nil: the directory is missing
		wantErr func(d *testData) string
	}{
		{
			name:    "missing patches directory",
			wantErr: func(d *testData) string { return d.patchesDir },
		},
		{
			name:    "patch that does not apply",
			files:   map[string]string{kubelet.PatchTarget + "+json.yaml": "- {op: test, path: /kind, value: Pod}\n"},
			wantErr: func(*testData) string { return `"` + kubelet.PatchTarget + `+json.yaml"` },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := newKubeletTestData(t)
			if tt.files == nil {
				d.usePatches(filepath.Join(d.root, "no-such-patches"))
			} else {
				d.usePatchFiles(t, tt.files)
			}
			systemd := &fakeSystemd{}
			_, err := printed(func(ctx context.Context) error {
				return runKubeletStart(ctx, d, machine.Host{InitSystem: systemd.detect})
			})
			if err == nil || !strings.Contains(err.Error(), tt.wantErr(d)) {
				t.Fatalf("error = %v, want one naming %s", err, tt.wantErr(d))
			}
			if d.patchesErr != nil && !errors.Is(err, d.patchesErr) {
				t.Errorf("error = %v, want the patches directory's error %v", err, d.patchesErr)
			}
			if _, err := os.Stat(d.kubeletDir); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the kubelet directory was written before the refusal: %v", err)
			}
			if slices.Contains(systemd.calls, "systemctl stop kubelet") {
				t.Errorf("the kubelet was stopped before the refusal: %q", systemd.calls)
			}
		})
	}
}

func writeKubeletConf(t *testing.T, path string) {
	t.Helper()
	c := clientcmdapi.NewConfig()
	c.Clusters["kubernetes"] = &clientcmdapi.Cluster{Server: "https://10.0.0.1:6443"}
	c.AuthInfos["system:node:cp-1"] = &clientcmdapi.AuthInfo{ClientCertificateData: []byte("CERT"), ClientKeyData: []byte("KEY")}
	c.Contexts["system:node:cp-1@kubernetes"] = &clientcmdapi.Context{Cluster: "kubernetes", AuthInfo: "system:node:cp-1"}
	c.CurrentContext = "system:node:cp-1@kubernetes"
	if err := clientcmd.WriteToFile(*c, path); err != nil {
		t.Fatal(err)
	}
}

func TestKubeletFinalize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		pem        bool
		dryRun     bool
		runs       int
		wantOut    bool
		wantChange bool
		wantCalls  []string
	}{
		{name: "no rotated certificate yet", runs: 1},
		{name: "dry run", pem: true, dryRun: true, runs: 1, wantOut: true},
		{name: "rotated certificate", pem: true, runs: 1, wantOut: true, wantChange: true,
			wantCalls: []string{"systemctl status kubelet", "systemctl daemon-reload", "systemctl restart kubelet"}},
		{name: "rerun restarts nothing", pem: true, runs: 2, wantOut: true, wantChange: true,
			wantCalls: []string{"systemctl status kubelet", "systemctl daemon-reload", "systemctl restart kubelet"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := newKubeletTestData(t)
			d.dryRun = tt.dryRun
			conf := filepath.Join(d.kubeConfigDir, "kubelet.conf")
			writeKubeletConf(t, conf)
			before, _ := os.ReadFile(conf)
			pem := filepath.Join(d.kubeletDir, "pki", "kubelet-client-current.pem")
			if tt.pem {
				if err := os.MkdirAll(filepath.Dir(pem), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(pem, []byte("PEM"), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			systemd := &fakeSystemd{}
			var out string
			for range tt.runs {
				o, err := printed(func(ctx context.Context) error {
					return runEnableClientCertRotation(ctx, d, machine.Host{InitSystem: systemd.detect})
				})
				if err != nil {
					t.Fatal(err)
				}
				out = o
			}
			wantLine := "[kubelet-finalize] Updating \"" + conf + "\" to point to a rotatable kubelet client certificate and key\n"
			if got := out == wantLine; got != tt.wantOut {
				t.Errorf("output = %q, want line printed: %t", out, tt.wantOut)
			}
			after, _ := os.ReadFile(conf)
			if changed := string(after) != string(before); changed != tt.wantChange {
				t.Errorf("kubelet.conf changed = %t, want %t", changed, tt.wantChange)
			}
			if tt.wantChange && !strings.Contains(string(after), "client-certificate: "+pem) {
				t.Errorf("kubelet.conf does not point at %s:\n%s", pem, after)
			}
			if !slices.Equal(systemd.calls, tt.wantCalls) {
				t.Errorf("systemctl calls %q, want %q", systemd.calls, tt.wantCalls)
			}
		})
	}
}
