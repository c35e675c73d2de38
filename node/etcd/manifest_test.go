package etcd

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/internal/golden"
	"github.com/kadm-project/kadm/node/staticpod"
)

// loadInput reads testdata/<scenario>/config.yaml as kadm init would
// (defaults included) and makes the input for kubeadm's default paths.
func loadInput(t *testing.T, scenario string) ManifestInput {
	t.Helper()
	docs, err := config.Load(filepath.Join("testdata", scenario, "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	config.SetInitDefaults(docs.Init)
	config.SetClusterDefaults(docs.Cluster)
	return ManifestInput{
		Cluster:            docs.Cluster,
		NodeName:           docs.Init.NodeRegistration.Name,
		Endpoint:           docs.Init.LocalAPIEndpoint,
		CertificateDir:     docs.Cluster.CertificatesDir,
		HealthCheckTimeout: docs.Init.Timeouts.ControlPlaneComponentHealthCheck.Duration,
	}
}

// TestGolden compares the manifest with the one kubeadm v1.37.2 writes for
// the same config file (`kubeadm init phase etcd local --dry-run --config
// testdata/<scenario>/config.yaml`).
func TestGolden(t *testing.T) {
	t.Parallel()
	for _, scenario := range []string{"default", "custom", "ipv6"} {
		t.Run(scenario, func(t *testing.T) {
			t.Parallel()
			pod, err := Pod(loadInput(t, scenario))
			if err != nil {
				t.Fatal(err)
			}
			got, err := staticpod.Marshal(pod)
			if err != nil {
				t.Fatal(err)
			}
			golden.Assert(t, filepath.Join("testdata", scenario, "etcd.yaml"), got)
		})
	}
}

func TestJoiningMember(t *testing.T) {
	t.Parallel()
	in := loadInput(t, "default")
	in.InitialCluster = []Member{
		{Name: "node-0", PeerURL: "https://10.0.0.9:2380"},
		{Name: "node-1", PeerURL: "https://10.0.0.10:2380"},
	}
	pod, err := Pod(in)
	if err != nil {
		t.Fatal(err)
	}
	cmd := pod.Spec.Containers[0].Command
	for _, want := range []string{
		"--initial-cluster=node-0=https://10.0.0.9:2380,node-1=https://10.0.0.10:2380",
		"--initial-cluster-state=existing",
	} {
		if !slices.Contains(cmd, want) {
			t.Errorf("command lacks %s: %v", want, cmd)
		}
	}
}

func TestProbeEndpoint(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, addr, urls string
		host             string
		port             int32
		scheme           string
	}{
		{name: "default", addr: "10.0.0.1", host: "127.0.0.1", port: 2381, scheme: "HTTP"},
		{name: "ipv6 default", addr: "fd00::1", host: "::1", port: 2381, scheme: "HTTP"},
		{name: "first url wins", addr: "10.0.0.1", urls: "https://10.0.0.1:2390,http://127.0.0.1:2381", host: "10.0.0.1", port: 2390, scheme: "HTTPS"},
		{name: "no host or port", addr: "10.0.0.1", urls: "http://", host: "127.0.0.1", port: 2381, scheme: "HTTP"},
		{name: "bad port", addr: "10.0.0.1", urls: "http://127.0.0.2:99999", host: "127.0.0.2", port: 2381, scheme: "HTTP"},
		{name: "unparsable", addr: "10.0.0.1", urls: "http://[::1", host: "127.0.0.1", port: 2381, scheme: "HTTP"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var extra []config.Arg
			if tt.urls != "" {
				extra = []config.Arg{{Name: "listen-metrics-urls", Value: tt.urls}}
			}
			host, port, scheme := probeEndpoint(extra, tt.addr)
			if host != tt.host || port != tt.port || string(scheme) != tt.scheme {
				t.Errorf("probeEndpoint(%q) = %s %d %s, want %s %d %s", tt.urls, host, port, scheme, tt.host, tt.port, tt.scheme)
			}
		})
	}
}

func TestPodErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		modify func(*ManifestInput)
		want   string
	}{
		{"external etcd", func(in *ManifestInput) {
			in.Cluster.Etcd = config.Etcd{External: &config.ExternalEtcd{Endpoints: []string{"https://10.0.0.2:2379"}}}
		}, "external etcd"},
		{"no address", func(in *ManifestInput) { in.Endpoint.AdvertiseAddress = "" }, "not an IP address"},
		{"no node name", func(in *ManifestInput) { in.NodeName = "" }, "node name"},
		{"rootless", func(in *ManifestInput) {
			in.Cluster.FeatureGates = map[string]bool{config.FeatureGateRootlessControlPlane: true}
		}, config.FeatureGateRootlessControlPlane},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := loadInput(t, "default")
			tt.modify(&in)
			if _, err := Pod(in); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Pod() error = %v, want one mentioning %q", err, tt.want)
			}
		})
	}
}
