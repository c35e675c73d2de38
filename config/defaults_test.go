package config

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kadm-project/kadm/internal/golden"
)

func TestDefaultsGolden(t *testing.T) {
	t.Parallel()
	tests := []struct {
		golden string
		docs   *Documents
	}{
		{"defaults/init.yaml", &Documents{Init: DefaultInitConfiguration(), Cluster: DefaultClusterConfiguration()}},
		{"defaults/join.yaml", &Documents{Join: DefaultJoinConfiguration()}},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			t.Parallel()
			got, err := Marshal(tt.docs)
			if err != nil {
				t.Fatal(err)
			}
			golden.Assert(t, filepath.Join("testdata", tt.golden), got)
		})
	}
}

func duration(d time.Duration) *metav1.Duration { return &metav1.Duration{Duration: d} }

// TestDefaultsKeepSetFields checks that defaulting only fills what is unset.
func TestDefaultsKeepSetFields(t *testing.T) {
	t.Parallel()
	serial := false
	expires := metav1.NewTime(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))

	t.Run("init", func(t *testing.T) {
		t.Parallel()
		in := &InitConfiguration{
			BootstrapTokens: []BootstrapToken{
				{TTL: duration(time.Hour), Usages: []string{TokenUsageSigning}, Groups: []string{"system:bootstrappers:x"}},
				{Expires: &expires},
			},
			LocalAPIEndpoint: APIEndpoint{BindPort: 443},
			NodeRegistration: NodeRegistrationOptions{Taints: []corev1.Taint{}, ImagePullPolicy: corev1.PullNever, ImagePullSerial: &serial},
			Timeouts:         &Timeouts{Discovery: duration(time.Second)},
		}
		SetInitDefaults(in)
		bt := in.BootstrapTokens
		if bt[0].TTL.Duration != time.Hour || len(bt[0].Usages) != 1 || bt[0].Groups[0] != "system:bootstrappers:x" {
			t.Errorf("token 0 was overwritten: %+v", bt[0])
		}
		if bt[1].TTL != nil {
			t.Errorf("a token with expires got a ttl too: %v", bt[1].TTL)
		}
		if in.LocalAPIEndpoint.BindPort != 443 {
			t.Errorf("bindPort = %d, want 443", in.LocalAPIEndpoint.BindPort)
		}
		n := in.NodeRegistration
		if n.Taints == nil || len(n.Taints) != 0 {
			t.Errorf("explicit empty taints became %v", n.Taints)
		}
		if n.ImagePullPolicy != corev1.PullNever || *n.ImagePullSerial {
			t.Errorf("pull settings overwritten: %s %v", n.ImagePullPolicy, *n.ImagePullSerial)
		}
		if in.Timeouts.Discovery.Duration != time.Second || in.Timeouts.TLSBootstrap.Duration != DefaultTLSBootstrapTimeout {
			t.Errorf("timeouts: %+v", in.Timeouts)
		}
	})

	t.Run("cluster", func(t *testing.T) {
		t.Parallel()
		in := &ClusterConfiguration{
			KubernetesVersion:         "v1.36.1",
			Networking:                Networking{ServiceSubnet: "10.1.0.0/16", DNSDomain: "example.org"},
			Etcd:                      Etcd{External: &ExternalEtcd{Endpoints: []string{"https://e:2379"}}},
			EncryptionAlgorithm:       EncryptionAlgorithmECDSAP256,
			CertificateValidityPeriod: duration(time.Hour),
		}
		SetClusterDefaults(in)
		want := &ClusterConfiguration{
			TypeMeta:                    metav1.TypeMeta{APIVersion: V1Beta4, Kind: KindClusterConfiguration},
			KubernetesVersion:           "v1.36.1",
			Networking:                  Networking{ServiceSubnet: "10.1.0.0/16", DNSDomain: "example.org"},
			Etcd:                        Etcd{External: &ExternalEtcd{Endpoints: []string{"https://e:2379"}, HTTPEndpoints: []string{"https://e:2379"}}},
			CertificatesDir:             DefaultCertificatesDir,
			ImageRepository:             DefaultImageRepository,
			ClusterName:                 DefaultClusterName,
			EncryptionAlgorithm:         EncryptionAlgorithmECDSAP256,
			CertificateValidityPeriod:   duration(time.Hour),
			CACertificateValidityPeriod: duration(DefaultCACertificateValidityPeriod),
		}
		if diff := cmp.Diff(want, in); diff != "" {
			t.Errorf("SetClusterDefaults (-want +got):\n%s", diff)
		}
	})

	t.Run("join", func(t *testing.T) {
		t.Parallel()
		in := &JoinConfiguration{
			Discovery: Discovery{
				BootstrapToken:    &BootstrapTokenDiscovery{Token: "abcdef.0123456789abcdef"},
				TLSBootstrapToken: "zzzzzz.0123456789abcdef",
			},
			ControlPlane: &JoinControlPlane{},
		}
		SetJoinDefaults(in)
		if in.Discovery.TLSBootstrapToken != "zzzzzz.0123456789abcdef" {
			t.Errorf("tlsBootstrapToken overwritten")
		}
		if in.ControlPlane.LocalAPIEndpoint.BindPort != DefaultAPIBindPort {
			t.Errorf("control plane bindPort = %d", in.ControlPlane.LocalAPIEndpoint.BindPort)
		}
		if diff := cmp.Diff([]corev1.Taint{ControlPlaneTaint()}, in.NodeRegistration.Taints); diff != "" {
			t.Errorf("control-plane join taints (-want +got):\n%s", diff)
		}
	})
}

func TestJoinDefaultsDiscovery(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name              string
		in                Discovery
		wantTLS, wantPath string
	}{
		{"tls token from discovery token", Discovery{BootstrapToken: &BootstrapTokenDiscovery{Token: "abcdef.0123456789abcdef"}}, "abcdef.0123456789abcdef", ""},
		{"file URL becomes a path", Discovery{File: &FileDiscovery{KubeConfigPath: "file:///etc/kubernetes/discovery.conf"}}, "", "/etc/kubernetes/discovery.conf"},
		{"https URL kept", Discovery{File: &FileDiscovery{KubeConfigPath: "https://example.com/c"}}, "", "https://example.com/c"},
		{"file discovery leaves tls token empty", Discovery{File: &FileDiscovery{KubeConfigPath: "/c"}}, "", "/c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			j := &JoinConfiguration{Discovery: tt.in}
			SetJoinDefaults(j)
			if j.Discovery.TLSBootstrapToken != tt.wantTLS {
				t.Errorf("tlsBootstrapToken = %q, want %q", j.Discovery.TLSBootstrapToken, tt.wantTLS)
			}
			if j.Discovery.File != nil && j.Discovery.File.KubeConfigPath != tt.wantPath {
				t.Errorf("kubeConfigPath = %q, want %q", j.Discovery.File.KubeConfigPath, tt.wantPath)
			}
			if j.NodeRegistration.Taints != nil {
				t.Errorf("a worker got taints %v", j.NodeRegistration.Taints)
			}
		})
	}
}

func TestDefaultCRISocketLeftEmpty(t *testing.T) {
	t.Parallel()
	if s := DefaultInitConfiguration().NodeRegistration.CRISocket; s != "" {
		t.Errorf("init CRI socket defaulted to %q; detection is the caller's job", s)
	}
	if s := DefaultJoinConfiguration().NodeRegistration.CRISocket; s != "" {
		t.Errorf("join CRI socket defaulted to %q; detection is the caller's job", s)
	}
}
