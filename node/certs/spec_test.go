package certs

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/internal/golden"
	"github.com/kadm-project/kadm/pkiutil"
)

func TestSpecsGolden(t *testing.T) {
	t.Parallel()
	rich := testCluster(config.EncryptionAlgorithmECDSAP384)
	rich.ControlPlaneEndpoint = "LB.Example.com:6443"
	rich.APIServer.CertSANs = []string{"10.0.0.100", "API.example.com", "*.apps.example.com", "fd00::100"}
	rich.Networking.ServiceSubnet = "10.100.0.0/16,fd00:10::/108"
	rich.Networking.DNSDomain = "corp.local"
	rich.Etcd.Local.ServerCertSANs = []string{"etcd.example.com", "10.0.0.50"}
	rich.Etcd.Local.PeerCertSANs = []string{"10.0.0.6"}
	ipEndpoint := testCluster(config.EncryptionAlgorithmRSA2048)
	ipEndpoint.ControlPlaneEndpoint = "10.0.0.200"
	external := testCluster(config.EncryptionAlgorithmRSA2048)
	external.Etcd = config.Etcd{External: &config.ExternalEtcd{Endpoints: []string{"https://10.0.0.9:2379"}}}

	tests := []struct {
		golden  string
		node    Node
		cluster *config.ClusterConfiguration
	}{
		{"specs-default.golden", testNode, testCluster(config.DefaultEncryptionAlgorithm)},
		{"specs-rich.golden", Node{Name: "CP-1", AdvertiseAddress: "192.168.1.10"}, rich},
		{"specs-ip-endpoint.golden", testNode, ipEndpoint},
		{"specs-external-etcd.golden", testNode, external},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			t.Parallel()
			specs, err := Specs(ForCluster(tt.cluster), tt.node, tt.cluster)
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			for _, s := range specs {
				b.WriteString(renderSpec(s))
			}
			golden.Assert(t, filepath.Join("testdata", tt.golden), []byte(b.String()))
		})
	}
}

// TestSpecPerAlgorithm checks that every certificate takes the configured
// key type and the validity of its kind, whatever the algorithm.
func TestSpecPerAlgorithm(t *testing.T) {
	t.Parallel()
	for _, alg := range pkiutil.KeyAlgorithms() {
		t.Run(string(alg), func(t *testing.T) {
			t.Parallel()
			cluster := testCluster(alg)
			for _, s := range testSpecs(t, cluster) {
				if s.Config.EncryptionAlgorithm != alg {
					t.Errorf("%s: key type %s, want %s", s.Name, s.Config.EncryptionAlgorithm, alg)
				}
				want := 100 * time.Hour
				if s.IsCA() {
					want = 1000 * time.Hour
				}
				if s.Config.Validity != want {
					t.Errorf("%s: validity %s, want %s", s.Name, s.Config.Validity, want)
				}
				if s.IsCA() != (len(s.Config.Usages) == 0) {
					t.Errorf("%s: usages %v for a CA=%v", s.Name, s.Config.Usages, s.IsCA())
				}
			}
		})
	}
}

func TestSpecErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		cert   string
		node   Node
		modify func(*config.ClusterConfiguration)
		want   string
	}{
		{"advertise address not an IP", "apiserver", Node{Name: "cp-1", AdvertiseAddress: "cp-1.example.com"}, nil, "advertise address"},
		{"etcd needs the advertise address", "etcd-peer", Node{Name: "cp-1"}, nil, "advertise address"},
		{"etcd needs a node name", "etcd-server", Node{AdvertiseAddress: "10.0.0.5"}, nil, "node name is empty"},
		{"bad service subnet", "apiserver", testNode, func(c *config.ClusterConfiguration) { c.Networking.ServiceSubnet = "10.96.0.0" }, "networking.serviceSubnet"},
		{"bad endpoint port", "apiserver", testNode, func(c *config.ClusterConfiguration) { c.ControlPlaneEndpoint = "lb:70000" }, "port"},
		{"bad endpoint host", "apiserver", testNode, func(c *config.ClusterConfiguration) { c.ControlPlaneEndpoint = "lb_1:6443" }, "controlPlaneEndpoint"},
		{"bad certSAN", "apiserver", testNode, func(c *config.ClusterConfiguration) { c.APIServer.CertSANs = []string{"ok.example.com", "not valid!"} }, "apiServer.certSANs[1]"},
		{"bad etcd SAN", "etcd-server", testNode, func(c *config.ClusterConfiguration) { c.Etcd.Local.ServerCertSANs = []string{"a b"} }, "etcd.local.serverCertSANs[0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cluster := testCluster(config.DefaultEncryptionAlgorithm)
			if tt.modify != nil {
				tt.modify(cluster)
			}
			c, _ := Lookup(tt.cert)
			_, err := NewSpec(c, tt.node, cluster)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// TestSpecsIgnoreUnrelatedInputs: CAs and client certificates need neither
// an advertise address nor a node name, so `phase certs ca` works alone.
func TestSpecsIgnoreUnrelatedInputs(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"ca", "front-proxy-ca", "etcd-ca", "apiserver-kubelet-client", "front-proxy-client", "etcd-healthcheck-client", "apiserver-etcd-client"} {
		c, _ := Lookup(name)
		if _, err := NewSpec(c, Node{}, testCluster(config.DefaultEncryptionAlgorithm)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestDefaultSANs pins the help text to kubeadm v1.37's.
func TestDefaultSANs(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"apiserver":   "kubernetes, kubernetes.default, kubernetes.default.svc, kubernetes.default.svc.cluster.local, 10.96.0.1, 127.0.0.1",
		"etcd-server": "localhost, 127.0.0.1, 127.0.0.1, ::1",
		"etcd-peer":   "localhost, 127.0.0.1, 127.0.0.1, ::1",
		"ca":          "",
	}
	for name, want := range tests {
		c, _ := Lookup(name)
		if diff := cmp.Diff(want, strings.Join(DefaultSANs(c), ", ")); diff != "" {
			t.Errorf("%s (-want +got):\n%s", name, diff)
		}
	}
}

func TestTree(t *testing.T) {
	t.Parallel()
	var names []string
	for _, c := range All() {
		names = append(names, c.Name)
		if ca, ok := c.CA(); ok && !ca.IsCA() {
			t.Errorf("%s is signed by %s, which is not a CA", c.Name, ca.Name)
		}
	}
	want := []string{"ca", "apiserver", "apiserver-kubelet-client", "front-proxy-ca", "front-proxy-client",
		"etcd-ca", "etcd-server", "etcd-peer", "etcd-healthcheck-client", "apiserver-etcd-client"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("kubeadm's order (-want +got):\n%s", diff)
	}
	external := testCluster(config.DefaultEncryptionAlgorithm)
	external.Etcd = config.Etcd{External: &config.ExternalEtcd{}}
	for _, c := range ForCluster(external) {
		if strings.HasPrefix(c.BaseName, "etcd/") || c.CAName == "etcd-ca" {
			t.Errorf("%s kept with an external etcd", c.Name)
		}
	}
}

// TestNodes: init and a control-plane join describe their node alike, so
// both get the same certificates; a worker join has no advertise address.
func TestNodes(t *testing.T) {
	t.Parallel()
	initCfg := &config.InitConfiguration{NodeRegistration: config.NodeRegistrationOptions{Name: "cp-1"},
		LocalAPIEndpoint: config.APIEndpoint{AdvertiseAddress: "10.0.0.5"}}
	join := &config.JoinConfiguration{NodeRegistration: config.NodeRegistrationOptions{Name: "cp-1"},
		ControlPlane: &config.JoinControlPlane{LocalAPIEndpoint: config.APIEndpoint{AdvertiseAddress: "10.0.0.5"}}}
	worker := &config.JoinConfiguration{NodeRegistration: config.NodeRegistrationOptions{Name: "w-1"}}
	if diff := cmp.Diff(testNode, InitNode(initCfg)); diff != "" {
		t.Errorf("init (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(testNode, JoinNode(join)); diff != "" {
		t.Errorf("control-plane join (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(Node{Name: "w-1"}, JoinNode(worker)); diff != "" {
		t.Errorf("worker join (-want +got):\n%s", diff)
	}
}
