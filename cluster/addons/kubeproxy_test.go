package addons

import (
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/tools/clientcmd"
	kubeproxyv1alpha1 "k8s.io/kube-proxy/config/v1alpha1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/yaml"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/internal/golden"
)

func proxyInput(edit func(*KubeProxyInput)) KubeProxyInput {
	in := KubeProxyInput{
		Cluster:          cluster(nil),
		LocalAPIEndpoint: config.APIEndpoint{AdvertiseAddress: "192.168.0.10", BindPort: 6443},
	}
	if edit != nil {
		edit(&in)
	}
	return in
}

// proxyConfig decodes config.conf of the addon's kube-proxy ConfigMap.
func proxyConfig(t *testing.T, a *Addon) *kubeproxyv1alpha1.KubeProxyConfiguration {
	t.Helper()
	cm := find[*corev1.ConfigMap](t, a, "kube-proxy")
	cfg := &kubeproxyv1alpha1.KubeProxyConfiguration{}
	if err := yaml.UnmarshalStrict([]byte(cm.Data["config.conf"]), cfg); err != nil {
		t.Fatalf("config.conf does not decode: %v", err)
	}
	return cfg
}

func TestKubeProxyImage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		repo, version, want string
	}{
		{"registry.k8s.io", "v1.37.2", "registry.k8s.io/kube-proxy:v1.37.2"},
		{"mirror.example.com/k8s", "v1.37.0-rc.1", "mirror.example.com/k8s/kube-proxy:v1.37.0-rc.1"},
		{"registry.k8s.io", "v1.37.2+vendor.1", "registry.k8s.io/kube-proxy:v1.37.2_vendor.1"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			t.Parallel()
			a, err := KubeProxy(proxyInput(func(in *KubeProxyInput) {
				in.Cluster.ImageRepository, in.Cluster.KubernetesVersion = tt.repo, tt.version
			}), nil)
			if err != nil {
				t.Fatal(err)
			}
			ds := find[*appsv1.DaemonSet](t, a, "kube-proxy")
			if got := ds.Spec.Template.Spec.Containers[0].Image; got != tt.want {
				t.Errorf("DaemonSet image = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestKubeProxyConfiguration(t *testing.T) {
	t.Parallel()
	type fields struct {
		ClusterCIDR, BindAddress, Kubeconfig, Mode string
		MaxPerCore                                 *int32
	}
	const header = "apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\n"
	tests := []struct {
		name      string
		podSubnet string
		address   string
		document  string
		want      fields
	}{
		{
			name: "clusterCIDR from podSubnet", podSubnet: "10.244.0.0/16", address: "192.168.0.10",
			want: fields{"10.244.0.0/16", "0.0.0.0", "/var/lib/kube-proxy/kubeconfig.conf", "iptables", nil},
		},
		{
			name: "dual-stack podSubnet on an IPv6 node", podSubnet: "fd00:244::/56,10.244.0.0/16", address: "fd00::10",
			want: fields{"fd00:244::/56,10.244.0.0/16", "::", "/var/lib/kube-proxy/kubeconfig.conf", "iptables", nil},
		},
		{
			name: "no podSubnet leaves clusterCIDR to kube-proxy", address: "192.168.0.10",
			want: fields{"", "0.0.0.0", "/var/lib/kube-proxy/kubeconfig.conf", "iptables", nil},
		},
		{
			name: "the config file's values win over defaults", podSubnet: "10.244.0.0/16", address: "192.168.0.10",
			document: header + "mode: nftables\nclusterCIDR: 10.10.0.0/16\nbindAddress: 192.168.0.10\nclientConnection:\n  kubeconfig: /etc/kp.conf\n",
			want:     fields{"10.10.0.0/16", "192.168.0.10", "/etc/kp.conf", "nftables", nil},
		},
		{
			name: "the config file's other fields are kept", podSubnet: "10.244.0.0/16", address: "192.168.0.10",
			document: header + "conntrack:\n  maxPerCore: 0\n",
			want:     fields{"10.244.0.0/16", "0.0.0.0", "/var/lib/kube-proxy/kubeconfig.conf", "iptables", ptr.To[int32](0)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a, err := KubeProxy(proxyInput(func(in *KubeProxyInput) {
				in.Cluster.Networking.PodSubnet = tt.podSubnet
				in.LocalAPIEndpoint.AdvertiseAddress = tt.address
				if tt.document != "" {
					in.Config = []byte(tt.document)
				}
			}), nil)
			if err != nil {
				t.Fatal(err)
			}
			c := proxyConfig(t, a)
			got := fields{c.ClusterCIDR, c.BindAddress, c.ClientConnection.Kubeconfig, string(c.Mode), c.Conntrack.MaxPerCore}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("KubeProxyConfiguration (-want +got):\n%s", diff)
			}
		})
	}
}

func TestKubeProxyConfigurationRejectsUnknownFields(t *testing.T) {
	t.Parallel()
	_, err := KubeProxy(proxyInput(func(in *KubeProxyInput) {
		in.Config = []byte("apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nmodee: nftables\n")
	}), nil)
	if err == nil || !strings.Contains(err.Error(), "modee") {
		t.Fatalf("KubeProxy error = %v, want one naming the unknown field modee", err)
	}
}

// TestKubeProxyConfigHash checks the component-config digest that tells
// upgrades a generated configuration from a supplied one.
func TestKubeProxyConfigHash(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		document []byte
		signed   bool
	}{
		{"generated", nil, true},
		{"supplied", []byte("apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\n"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a, err := KubeProxy(proxyInput(func(in *KubeProxyInput) { in.Config = tt.document }), nil)
			if err != nil {
				t.Fatal(err)
			}
			cm := find[*corev1.ConfigMap](t, a, "kube-proxy")
			sum := sha256.Sum256([]byte(cm.Data["config.conf"] + cm.Data["kubeconfig.conf"]))
			want := ""
			if tt.signed {
				want = "sha256:" + hex.EncodeToString(sum[:])
			}
			if got := cm.Annotations["kubeadm.kubernetes.io/component-config.hash"]; got != want {
				t.Errorf("hash annotation = %q, want %q", got, want)
			}
		})
	}
}

func TestKubeProxyKubeconfigServer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		endpoint string
		local    config.APIEndpoint
		want     string
	}{
		{"local endpoint", "", config.APIEndpoint{AdvertiseAddress: "192.168.0.10", BindPort: 6443}, "https://192.168.0.10:6443"},
		{"local IPv6 endpoint", "", config.APIEndpoint{AdvertiseAddress: "fd00::10", BindPort: 6443}, "https://[fd00::10]:6443"},
		{"control-plane endpoint with port", "lb.example.com:8443", config.APIEndpoint{AdvertiseAddress: "192.168.0.10", BindPort: 6443}, "https://lb.example.com:8443"},
		{"control-plane endpoint takes the bind port", "lb.example.com", config.APIEndpoint{AdvertiseAddress: "192.168.0.10", BindPort: 6444}, "https://lb.example.com:6444"},
		{"IPv6 control-plane endpoint", "[fd00::1]:6443", config.APIEndpoint{AdvertiseAddress: "fd00::10", BindPort: 6443}, "https://[fd00::1]:6443"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a, err := KubeProxy(proxyInput(func(in *KubeProxyInput) {
				in.Cluster.ControlPlaneEndpoint = tt.endpoint
				in.LocalAPIEndpoint = tt.local
			}), nil)
			if err != nil {
				t.Fatal(err)
			}
			cm := find[*corev1.ConfigMap](t, a, "kube-proxy")
			kc, err := clientcmd.Load([]byte(cm.Data["kubeconfig.conf"]))
			if err != nil {
				t.Fatalf("kubeconfig.conf does not load: %v", err)
			}
			cluster := kc.Clusters[kc.Contexts[kc.CurrentContext].Cluster]
			if cluster.Server != tt.want {
				t.Errorf("server = %q, want %q", cluster.Server, tt.want)
			}
			if cluster.CertificateAuthority != "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt" {
				t.Errorf("certificate-authority = %q, want the service-account CA", cluster.CertificateAuthority)
			}
			if user := kc.AuthInfos[kc.Contexts[kc.CurrentContext].AuthInfo]; user.TokenFile != "/var/run/secrets/kubernetes.io/serviceaccount/token" {
				t.Errorf("tokenFile = %q, want the service-account token", user.TokenFile)
			}
		})
	}
}

func TestKubeProxyNeedsAnAddress(t *testing.T) {
	t.Parallel()
	_, err := KubeProxy(proxyInput(func(in *KubeProxyInput) { in.LocalAPIEndpoint.AdvertiseAddress = "" }), nil)
	if err == nil || !strings.Contains(err.Error(), "advertise address") {
		t.Fatalf("KubeProxy error = %v, want one about the advertise address", err)
	}
}

func TestKubeProxyInheritsProxyEnvironment(t *testing.T) {
	t.Parallel()
	a, err := KubeProxy(proxyInput(func(in *KubeProxyInput) {
		in.Environ = []string{"PATH=/bin", "https_proxy=http://proxy:3128", "NO_PROXY=10.0.0.0/8", "HTTP_PROXY=", "HTTPS_PROXY=http://a", "HTTPS_PROXY=http://b", "malformed"}
	}), nil)
	if err != nil {
		t.Fatal(err)
	}
	ds := find[*appsv1.DaemonSet](t, a, "kube-proxy")
	var got []string
	for _, e := range ds.Spec.Template.Spec.Containers[0].Env {
		got = append(got, e.Name+"="+e.Value)
	}
	want := []string{"NODE_NAME=", "HTTPS_PROXY=http://b", "NO_PROXY=10.0.0.0/8", "https_proxy=http://proxy:3128"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("kube-proxy env (-want +got):\n%s", diff)
	}
}

func TestKubeProxyManifest(t *testing.T) {
	t.Parallel()
	a, err := KubeProxy(proxyInput(func(in *KubeProxyInput) { in.Cluster.Networking.PodSubnet = "10.244.0.0/16" }), nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := a.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, filepath.Join("testdata", "kube-proxy.yaml"), b)
}
