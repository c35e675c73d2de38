package controlplane

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/internal/golden"
	"github.com/kadm-project/kadm/node/staticpod"
)

// debianCACertDirs are the CA directories of a Debian or Ubuntu host, the
// ones the golden files were compared with kubeadm on.
var debianCACertDirs = []string{"/etc/ca-certificates", "/usr/share/ca-certificates", "/usr/local/share/ca-certificates"}

// loadInput reads testdata/<scenario>/config.yaml as kadm init would
// (defaults included) and makes the Input for kubeadm's default paths.
func loadInput(t *testing.T, scenario string, environ []string) Input {
	t.Helper()
	docs, err := config.Load(filepath.Join("testdata", scenario, "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	config.SetInitDefaults(docs.Init)
	config.SetClusterDefaults(docs.Cluster)
	return Input{
		Cluster:            docs.Cluster,
		Endpoint:           docs.Init.LocalAPIEndpoint,
		CertificateDir:     docs.Cluster.CertificatesDir,
		KubeConfigDir:      "/etc/kubernetes",
		CACertDirs:         debianCACertDirs,
		Environ:            environ,
		HealthCheckTimeout: docs.Init.Timeouts.ControlPlaneComponentHealthCheck.Duration,
	}
}

// TestGolden compares each component's manifest with the one kubeadm v1.37.2
// writes for the same config file (`kubeadm init phase control-plane all
// --dry-run --config testdata/<scenario>/config.yaml`, run on a Debian host
// with the same proxy environment).
func TestGolden(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		name    string
		environ []string
	}{
		{name: "default"},
		// The proxy variables must reach every component; the apiserver's
		// extraEnvs override one of them.
		{name: "custom", environ: []string{"PATH=/usr/bin", "HTTPS_PROXY=http://proxy.example.com:3128", "no_proxy=10.0.0.0/8,.example.com", "ftp_proxy="}},
		{name: "ipv6"},
		{name: "external-etcd"},
	}
	for _, s := range scenarios {
		for _, component := range Components() {
			t.Run(s.name+"/"+component, func(t *testing.T) {
				t.Parallel()
				pod, err := Pod(component, loadInput(t, s.name, s.environ))
				if err != nil {
					t.Fatal(err)
				}
				got, err := staticpod.Marshal(pod)
				if err != nil {
					t.Fatal(err)
				}
				golden.Assert(t, filepath.Join("testdata", s.name, component+".yaml"), got)
			})
		}
	}
}

func TestExternalCA(t *testing.T) {
	t.Parallel()
	for _, external := range []bool{false, true} {
		in := loadInput(t, "default", nil)
		in.ExternalCA = external
		pod, err := ControllerManager(in)
		if err != nil {
			t.Fatal(err)
		}
		cmd := pod.Spec.Containers[0].Command
		for _, f := range []string{"cluster-signing-cert-file", "cluster-signing-key-file"} {
			i := slices.IndexFunc(cmd, func(s string) bool { return strings.HasPrefix(s, "--"+f+"=") })
			if i < 0 {
				t.Fatalf("ExternalCA=%v: --%s missing from %v", external, f, cmd)
			}
			if empty := cmd[i] == "--"+f+"="; empty != external {
				t.Errorf("ExternalCA=%v: got %s, want an empty value only with an external CA", external, cmd[i])
			}
		}
	}
}

func TestAuthorizationConfigReplacesMode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		extra []config.Arg
		want  []string
		never string
	}{
		{name: "default", want: []string{"--authorization-mode=Node,RBAC"}},
		{
			name:  "authorization-config",
			extra: []config.Arg{{Name: "authorization-config", Value: "/etc/kubernetes/authz.yaml"}},
			want:  []string{"--authorization-config=/etc/kubernetes/authz.yaml"},
			never: "--authorization-mode=",
		},
		{
			name:  "user mode",
			extra: []config.Arg{{Name: "authorization-mode", Value: "Node,Webhook,RBAC"}},
			want:  []string{"--authorization-mode=Node,Webhook,RBAC"},
			never: "--authorization-mode=Node,RBAC",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := loadInput(t, "default", nil)
			in.Cluster.APIServer.ExtraArgs = tt.extra
			pod, err := APIServer(in)
			if err != nil {
				t.Fatal(err)
			}
			cmd := pod.Spec.Containers[0].Command
			for _, w := range tt.want {
				if !slices.Contains(cmd, w) {
					t.Errorf("command lacks %s: %v", w, cmd)
				}
			}
			if tt.never != "" && slices.ContainsFunc(cmd, func(s string) bool { return strings.HasPrefix(s, tt.never) }) {
				t.Errorf("command has %s...: %v", tt.never, cmd)
			}
		})
	}
}

func TestPaths(t *testing.T) {
	t.Parallel()
	// A dry run or a control-plane join passes other directories; nothing
	// may still point at /etc/kubernetes.
	in := loadInput(t, "default", nil)
	in.CertificateDir, in.KubeConfigDir = "/tmp/dry/pki", "/tmp/dry"
	in.CACertDirs = nil
	for _, component := range Components() {
		pod, err := Pod(component, in)
		if err != nil {
			t.Fatal(err)
		}
		b, err := staticpod.Marshal(pod)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), "/etc/kubernetes") {
			t.Errorf("%s still refers to /etc/kubernetes:\n%s", component, b)
		}
	}
}

func TestInputErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		modify func(*Input)
		want   string
	}{
		{"no advertise address", func(in *Input) { in.Endpoint.AdvertiseAddress = "" }, "advertise address"},
		{"hostname", func(in *Input) { in.Endpoint.AdvertiseAddress = "cp.example.com" }, "not an IP address"},
		{"no cluster", func(in *Input) { in.Cluster = nil }, "ClusterConfiguration"},
		{"rootless", func(in *Input) {
			in.Cluster.FeatureGates = map[string]bool{config.FeatureGateRootlessControlPlane: true}
		}, config.FeatureGateRootlessControlPlane},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, component := range Components() {
				in := loadInput(t, "default", nil)
				tt.modify(&in)
				if _, err := Pod(component, in); err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("%s: error = %v, want one mentioning %q", component, err, tt.want)
				}
			}
		})
	}
	if _, err := Pod("kube-proxy", loadInput(t, "default", nil)); err == nil {
		t.Error("Pod(kube-proxy) succeeded, want an error")
	}
}

func TestHostCACertDirsExist(t *testing.T) {
	t.Parallel()
	for _, d := range HostCACertDirs() {
		if !slices.Contains(caCertsLinkDirs(), d) {
			t.Errorf("HostCACertDirs() returned %s, which is not a candidate", d)
		}
	}
}
