package initphases

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	corev1 "k8s.io/api/core/v1"
	system "k8s.io/system-validators/validators"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/node/cri/crifake"
	"github.com/kadm-project/kadm/node/machine"
	"github.com/kadm-project/kadm/preflight"
)

// bareHost is a host on which every check fails: an empty file system, and
// every call refused.
func bareHost() machine.Host {
	refused := errors.New("refused")
	return machine.Host{
		Root:             fstest.MapFS{},
		Listen:           func(string, string) (net.Listener, error) { return nil, refused },
		CRI:              crifake.Unreachable,
		LookPath:         func(string) (string, error) { return "", refused },
		Run:              func(context.Context, string, ...string) ([]byte, error) { return nil, refused },
		InitSystem:       noInitSystem,
		UID:              func() int { return 1000 },
		NumCPU:           func() int { return 1 },
		LookupHost:       func(context.Context, string) ([]string, error) { return nil, refused },
		Proxy:            func(*http.Request) (*url.URL, error) { return url.Parse("http://proxy:3128") },
		SystemValidators: func(string, system.Reporter) []system.Validator { return nil },
	}
}

func TestPreflightPhase(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		ignore  []string
		wantOut []string
		notOut  string
		wantErr string
	}{
		{
			name:    "not root stops before the other checks",
			wantOut: []string{"[preflight] Running pre-flight checks\n"},
			notOut:  "NumCPU",
			wantErr: "[ERROR IsPrivilegedUser]: user is not running as root",
		},
		{
			name:   "ignored root error goes on to the init checks",
			ignore: []string{"isprivilegeduser"},
			wantOut: []string{"[preflight] Running pre-flight checks\n\t[WARNING IsPrivilegedUser]: user is not running as root\n",
				"\t[WARNING Hostname]", "\t[WARNING HTTPProxy]"},
			wantErr: "[ERROR NumCPU]: the number of available CPUs 1 is less than the required 2",
		},
		{
			name:   "all ignored passes with warnings",
			ignore: []string{"all"},
			wantOut: []string{"\t[WARNING NumCPU]: the number of available CPUs 1 is less than the required 2\n", "\t[WARNING CRI]",
				"[preflight] Pulling images required for setting up a Kubernetes cluster\n" +
					"[preflight] This might take a minute or two, depending on the speed of your internet connection\n" +
					"[preflight] You can also perform this action beforehand using 'kadm config images pull'\n" +
					"\t[WARNING ImagePull]: could not connect to the container runtime"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := newTestData(t)
			d.ignorePreflight = tt.ignore
			// The checks read the bare host's file system, so the manifest
			// directory is named as on a real host.
			d.manifestDir = config.DefaultManifestsDir
			out, err := printed(func(ctx context.Context) error { return runPreflight(ctx, d, bareHost()) })
			if tt.wantErr == "" && err != nil {
				t.Fatalf("error = %v, want nil", err)
			}
			if tt.wantErr != "" && (!errors.Is(err, preflight.ErrChecksFailed) || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("error = %v, want ErrChecksFailed with %q", err, tt.wantErr)
			}
			for _, w := range tt.wantOut {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			if tt.notOut != "" && (strings.Contains(out, tt.notOut) || strings.Contains(err.Error(), tt.notOut)) {
				t.Errorf("output or error mentions %q:\n%s\n%v", tt.notOut, out, err)
			}
		})
	}
}

// TestPreflightPullsImages: once the node checks pass (all ignored here),
// preflight fills the runtime with the control plane's images, or only says
// so on a dry run; the pull failures stop init unless ImagePull is ignored.
func TestPreflightPullsImages(t *testing.T) {
	t.Parallel()
	// Every check the bare host fails but ImagePull.
	failing := []string{"isprivilegeduser", "numcpu", "mem", "hostname", "httpproxy", "httpproxycidr", "cri", "containerruntimeversion", "swap", "fileexisting-losetup", "fileexisting-mount", "fileexisting-cp", "systemverification", "kubeletversion", "service-kubelet", "firewalld", "filecontent--proc-sys-net-ipv4-ip_forward", "port-6443", "port-10259", "port-10257", "port-10250", "port-2379", "port-2380"}
	for _, tt := range []struct {
		name      string
		dryRun    bool
		never     bool
		ignore    []string
		wantPulls bool
		wantOut   string
		wantErr   string
	}{
		{name: "pulls", ignore: []string{"all"}, wantPulls: true, wantOut: "[preflight] Pulling images required for setting up a Kubernetes cluster\n"},
		{name: "dry run", dryRun: true, ignore: []string{"all"}, wantOut: "[preflight] Would pull the required images (like 'kadm config images pull')\n"},
		{
			name: "Never with missing images fails", never: true,
			ignore:  failing,
			wantErr: "[ERROR ImagePull]: image registry.k8s.io/kube-apiserver:" + config.DefaultKubernetesVersion + " is not present in the container runtime, and imagePullPolicy is Never",
		},
		{
			name: "ImagePull is ignorable by name", never: true, ignore: append(slices.Clone(failing), "imagepull"),
			wantOut: "\t[WARNING ImagePull]: image registry.k8s.io/kube-apiserver:" + config.DefaultKubernetesVersion + " is not present in the container runtime",
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := newTestData(t)
			d.ignorePreflight, d.dryRun = tt.ignore, tt.dryRun
			d.manifestDir = config.DefaultManifestsDir
			config.SetClusterDefaults(d.cluster)
			if tt.never {
				d.cfg.NodeRegistration.ImagePullPolicy = corev1.PullNever
			}
			rt := &crifake.Runtime{Sandbox: config.PauseImage(d.cluster)}
			h := bareHost()
			h.CRI = rt.Connect
			out, err := printed(func(ctx context.Context) error { return runPreflight(ctx, d, h) })
			if tt.wantErr != "" {
				if !errors.Is(err, preflight.ErrChecksFailed) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want ErrChecksFailed with %q", err, tt.wantErr)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out, tt.wantOut) {
				t.Errorf("output lacks %q:\n%s", tt.wantOut, out)
			}
			var want []string
			if tt.wantPulls {
				want = config.Images(d.cluster)
			}
			if got := rt.Pulls(); !slices.Equal(got, want) {
				t.Errorf("pulls = %q, want %q", got, want)
			}
		})
	}
}
