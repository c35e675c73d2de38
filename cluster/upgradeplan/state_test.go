package upgradeplan

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kadm-project/kadm/cluster/objects"
)

func TestRead(t *testing.T) {
	t.Parallel()
	objs := append(v136Cluster(), mirrorPod("kube-apiserver", "cp3", "registry.k8s.io/kube-apiserver:v1.37.2_vendor.1"))
	s, err := Read(t.Context(), cluster("v1.36.3", objs...), objects.Policy{})
	if err != nil {
		t.Fatal(err)
	}
	want := &State{
		ClusterVersion: "v1.36.3",
		APIServer:      Versions{"v1.36.3": {"cp1", "cp2"}, "v1.37.2+vendor.1": {"cp3"}},
		Controller:     Versions{"v1.36.3": {"cp1", "cp2"}},
		Scheduler:      Versions{"v1.36.3": {"cp1", "cp2"}},
		Etcd:           Versions{"3.6.8-0": {"cp1", "cp2"}},
		Kubelet:        Versions{"v1.36.3": {"cp1", "cp2", "worker"}},
		DNS:            "v1.14.2",
	}
	if diff := cmp.Diff(want, s); diff != "" {
		t.Errorf("Read (-want +got):\n%s", diff)
	}
}

func TestReadExternalEtcdNoDNS(t *testing.T) {
	t.Parallel()
	s, err := Read(t.Context(), cluster("v1.37.2",
		mirrorPod("kube-apiserver", "cp1", "registry.k8s.io/kube-apiserver:v1.37.2")), objects.Policy{})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Etcd) != 0 || s.DNS != "" {
		t.Errorf("etcd %v, DNS %q: want none, as with an external etcd and no CoreDNS", s.Etcd, s.DNS)
	}
}

func TestImageVersion(t *testing.T) {
	t.Parallel()
	for image, want := range map[string]string{
		"registry.k8s.io/kube-apiserver:v1.37.2":           "v1.37.2",
		"localhost:5000/etcd:3.7.0-0":                      "3.7.0-0",
		"registry.k8s.io/kube-apiserver:v1.37.2_vendor.1":  "v1.37.2+vendor.1",
		"registry.k8s.io/coredns/coredns:v1.14.6@sha256:0": "v1.14.6",
		"localhost:5000/untagged":                          "",
	} {
		if got := ImageVersion(image); got != want {
			t.Errorf("ImageVersion(%q) = %q, want %q", image, got, want)
		}
	}
}
