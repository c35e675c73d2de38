package config

import (
	"slices"
	"testing"
)

func TestImages(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		edit func(*ClusterConfiguration)
		want []string
	}{
		{"defaults", nil, []string{
			"registry.k8s.io/kube-apiserver:v1.37.2",
			"registry.k8s.io/kube-controller-manager:v1.37.2",
			"registry.k8s.io/kube-scheduler:v1.37.2",
			"registry.k8s.io/kube-proxy:v1.37.2",
			"registry.k8s.io/coredns/coredns:v1.14.6",
			"registry.k8s.io/pause:3.10.2",
			"registry.k8s.io/etcd:3.7.0-0",
		}},
		{"a version without v names the released images", func(c *ClusterConfiguration) { c.KubernetesVersion = "1.37.1" }, []string{
			"registry.k8s.io/kube-apiserver:v1.37.1",
			"registry.k8s.io/kube-controller-manager:v1.37.1",
			"registry.k8s.io/kube-scheduler:v1.37.1",
			"registry.k8s.io/kube-proxy:v1.37.1",
			"registry.k8s.io/coredns/coredns:v1.14.6",
			"registry.k8s.io/pause:3.10.2",
			"registry.k8s.io/etcd:3.7.0-0",
		}},
		{"build metadata becomes a valid tag", func(c *ClusterConfiguration) { c.KubernetesVersion = "v1.37.2+vendor.1" }, []string{
			"registry.k8s.io/kube-apiserver:v1.37.2_vendor.1",
			"registry.k8s.io/kube-controller-manager:v1.37.2_vendor.1",
			"registry.k8s.io/kube-scheduler:v1.37.2_vendor.1",
			"registry.k8s.io/kube-proxy:v1.37.2_vendor.1",
			"registry.k8s.io/coredns/coredns:v1.14.6",
			"registry.k8s.io/pause:3.10.2",
			"registry.k8s.io/etcd:3.7.0-0",
		}},
		{"mirror, addons disabled, external etcd", func(c *ClusterConfiguration) {
			c.ImageRepository = "mirror.example.com/k8s"
			c.Proxy.Disabled, c.DNS.Disabled = true, true
			c.Etcd = Etcd{External: &ExternalEtcd{Endpoints: []string{"https://10.0.0.9:2379"}}}
		}, []string{
			"mirror.example.com/k8s/kube-apiserver:v1.37.2",
			"mirror.example.com/k8s/kube-controller-manager:v1.37.2",
			"mirror.example.com/k8s/kube-scheduler:v1.37.2",
			"mirror.example.com/k8s/pause:3.10.2",
		}},
		{"dns and etcd overrides", func(c *ClusterConfiguration) {
			c.ImageRepository = "mirror.example.com/k8s"
			c.DNS.ImageRepository, c.DNS.ImageTag = "dns.example.com/team", "custom"
			c.Etcd.Local = &LocalEtcd{ImageMeta: ImageMeta{ImageRepository: "etcd.example.com", ImageTag: "3.6.5-0"}}
		}, []string{
			"mirror.example.com/k8s/kube-apiserver:v1.37.2",
			"mirror.example.com/k8s/kube-controller-manager:v1.37.2",
			"mirror.example.com/k8s/kube-scheduler:v1.37.2",
			"mirror.example.com/k8s/kube-proxy:v1.37.2",
			"dns.example.com/team/coredns:custom",
			"mirror.example.com/k8s/pause:3.10.2",
			"etcd.example.com/etcd:3.6.5-0",
		}},
		{"a dns repository naming the default registry keeps coredns/", func(c *ClusterConfiguration) {
			c.ImageRepository = "mirror.example.com/k8s"
			c.DNS.ImageRepository = DefaultImageRepository
		}, []string{
			"mirror.example.com/k8s/kube-apiserver:v1.37.2",
			"mirror.example.com/k8s/kube-controller-manager:v1.37.2",
			"mirror.example.com/k8s/kube-scheduler:v1.37.2",
			"mirror.example.com/k8s/kube-proxy:v1.37.2",
			"registry.k8s.io/coredns/coredns:v1.14.6",
			"mirror.example.com/k8s/pause:3.10.2",
			"mirror.example.com/k8s/etcd:3.7.0-0",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := &ClusterConfiguration{}
			if tt.edit != nil {
				tt.edit(c)
			}
			SetClusterDefaults(c)
			if got := Images(c); !slices.Equal(got, tt.want) {
				t.Errorf("Images() =\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

func TestNormalizeKubernetesVersion(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"1.37.2":         "v1.37.2",
		"v1.37.2":        "v1.37.2",
		"1.37.0-rc.1":    "v1.37.0-rc.1",
		"stable-1":       DefaultKubernetesVersion,
		"ci/latest-1.37": DefaultKubernetesVersion,
		"not a version":  "not a version",
	} {
		if got := NormalizeKubernetesVersion(in); got != want {
			t.Errorf("NormalizeKubernetesVersion(%q) = %q, want %q", in, got, want)
		}
	}
}
