package addons

import (
	"path/filepath"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/internal/golden"
)

func cluster(edit func(*config.ClusterConfiguration)) *config.ClusterConfiguration {
	c := config.DefaultClusterConfiguration()
	if edit != nil {
		edit(c)
	}
	return c
}

// find returns the addon's object of type T named name.
func find[T runtime.Object](t *testing.T, a *Addon, name string) T {
	t.Helper()
	for _, obj := range a.Objects() {
		if o, ok := obj.(T); ok && obj.(interface{ GetName() string }).GetName() == name {
			return o
		}
	}
	var zero T
	t.Fatalf("%s addon has no %T %q", a.Name, zero, name)
	return zero
}

func TestCoreDNSImage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		edit func(*config.ClusterConfiguration)
		want string
	}{
		{"default registry keeps CoreDNS under coredns/", nil, "registry.k8s.io/coredns/coredns:v1.14.6"},
		{"cluster repository", func(c *config.ClusterConfiguration) { c.ImageRepository = "mirror.example.com/k8s" },
			"mirror.example.com/k8s/coredns:v1.14.6"},
		{"dns repository overrides the cluster's", func(c *config.ClusterConfiguration) {
			c.ImageRepository = "mirror.example.com/k8s"
			c.DNS.ImageRepository = "dns.example.com"
		}, "dns.example.com/coredns:v1.14.6"},
		{"dns repository naming the default registry", func(c *config.ClusterConfiguration) {
			c.ImageRepository = "mirror.example.com/k8s"
			c.DNS.ImageRepository = "registry.k8s.io"
		}, "registry.k8s.io/coredns/coredns:v1.14.6"},
		{"dns tag", func(c *config.ClusterConfiguration) { c.DNS.ImageTag = "v1.12.0" }, "registry.k8s.io/coredns/coredns:v1.12.0"},
		{"dns repository and tag", func(c *config.ClusterConfiguration) {
			c.DNS.ImageRepository = "dns.example.com/team"
			c.DNS.ImageTag = "custom"
		}, "dns.example.com/team/coredns:custom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a, err := CoreDNS(cluster(tt.edit), nil)
			if err != nil {
				t.Fatal(err)
			}
			d := find[*appsv1.Deployment](t, a, "coredns")
			if got := d.Spec.Template.Spec.Containers[0].Image; got != tt.want {
				t.Errorf("Deployment image = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestKubeDNSClusterIP(t *testing.T) {
	t.Parallel()
	tests := []struct {
		subnet, want string
	}{
		{"10.96.0.0/12", "10.96.0.10"},
		{"172.20.0.0/16", "172.20.0.10"},
		{"fd00:10:96::/112", "fd00:10:96::a"},
		{"10.96.0.0/12,fd00:10:96::/112", "10.96.0.10"},
		{"fd00:10:96::/112,10.96.0.0/12", "fd00:10:96::a"},
	}
	for _, tt := range tests {
		t.Run(tt.subnet, func(t *testing.T) {
			t.Parallel()
			a, err := CoreDNS(cluster(func(c *config.ClusterConfiguration) { c.Networking.ServiceSubnet = tt.subnet }), nil)
			if err != nil {
				t.Fatal(err)
			}
			svc := find[*corev1.Service](t, a, "kube-dns")
			if svc.Spec.ClusterIP != tt.want {
				t.Errorf("kube-dns clusterIP = %q, want %q", svc.Spec.ClusterIP, tt.want)
			}
		})
	}
}

func TestCorefileForDNSDomain(t *testing.T) {
	t.Parallel()
	a, err := CoreDNS(cluster(func(c *config.ClusterConfiguration) { c.Networking.DNSDomain = "myorg.internal" }), nil)
	if err != nil {
		t.Fatal(err)
	}
	cm := find[*corev1.ConfigMap](t, a, "coredns")
	golden.Assert(t, filepath.Join("testdata", "Corefile.myorg.internal"), []byte(cm.Data["Corefile"]))
}

func TestCoreDNSManifest(t *testing.T) {
	t.Parallel()
	a, err := CoreDNS(cluster(nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := a.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, filepath.Join("testdata", "coredns.yaml"), b)
}

func TestEditedCorefile(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		corefile *string
		want     bool
	}{
		{"generated for the same domain", ptr.To(Corefile("cluster.local")), false},
		{"generated for another domain", ptr.To(Corefile("old.example")), false},
		{"no Corefile key", nil, false},
		{"extra stub domain", ptr.To(Corefile("cluster.local") + "example.com:53 {\n    forward . 10.0.0.53\n}\n"), true},
		{"hand-written", ptr.To(".:53 {\n    forward . 8.8.8.8\n}\n"), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cm := &corev1.ConfigMap{Data: map[string]string{}}
			if tt.corefile != nil {
				cm.Data["Corefile"] = *tt.corefile
			}
			if got := EditedCorefile(cm); got != tt.want {
				t.Errorf("EditedCorefile = %v, want %v", got, tt.want)
			}
		})
	}
}
