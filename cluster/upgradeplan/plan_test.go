package upgradeplan

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kadm-project/kadm/cluster/clusterconfig"
	"github.com/kadm-project/kadm/cluster/objects"
)

func TestAvailable(t *testing.T) {
	t.Parallel()
	s, err := Read(t.Context(), cluster("v1.36.3", v136Cluster()...), objects.Policy{})
	if err != nil {
		t.Fatal(err)
	}
	target := Release{Version: "v1.37.2", Etcd: "3.7.0-0", DNS: "v1.14.6"}
	up, err := Available(s, Offer{Target: target, KadmVersion: "v1.37.2", EtcdUpgrade: true})
	if err != nil {
		t.Fatal(err)
	}
	want := &AvailableUpgrade{Description: "stable version", Components: []ComponentUpgrade{
		{Name: "kubelet", CurrentVersion: "v1.36.3", NewVersion: "v1.37.2", NodeName: "cp1"},
		{Name: "kubelet", CurrentVersion: "v1.36.3", NewVersion: "v1.37.2", NodeName: "cp2"},
		{Name: "kubelet", CurrentVersion: "v1.36.3", NewVersion: "v1.37.2", NodeName: "worker"},
		{Name: "kube-apiserver", CurrentVersion: "v1.36.3", NewVersion: "v1.37.2", NodeName: "cp1"},
		{Name: "kube-apiserver", CurrentVersion: "v1.36.3", NewVersion: "v1.37.2", NodeName: "cp2"},
		{Name: "kube-controller-manager", CurrentVersion: "v1.36.3", NewVersion: "v1.37.2", NodeName: "cp1"},
		{Name: "kube-controller-manager", CurrentVersion: "v1.36.3", NewVersion: "v1.37.2", NodeName: "cp2"},
		{Name: "kube-scheduler", CurrentVersion: "v1.36.3", NewVersion: "v1.37.2", NodeName: "cp1"},
		{Name: "kube-scheduler", CurrentVersion: "v1.36.3", NewVersion: "v1.37.2", NodeName: "cp2"},
		{Name: "kube-proxy", CurrentVersion: "v1.36.3", NewVersion: "v1.37.2"},
		{Name: "CoreDNS", CurrentVersion: "v1.14.2", NewVersion: "v1.14.6"},
		{Name: "kubeadm", CurrentVersion: "v1.37.2", NewVersion: "v1.37.2"},
		{Name: "etcd", CurrentVersion: "3.6.8-0", NewVersion: "3.7.0-0", NodeName: "cp1"},
		{Name: "etcd", CurrentVersion: "3.6.8-0", NewVersion: "3.7.0-0", NodeName: "cp2"},
	}}
	if diff := cmp.Diff(want, up); diff != "" {
		t.Errorf("Available (-want +got):\n%s", diff)
	}

	noEtcd, err := Available(s, Offer{Target: target, KadmVersion: "v1.37.2"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range noEtcd.Components {
		if c.Name == "etcd" {
			t.Errorf("etcd planned without --etcd-upgrade: %+v", c)
		}
	}

	patch, err := Available(s, Offer{Target: Release{Version: "v1.36.5"}, KadmVersion: "v1.36.4"})
	if err != nil {
		t.Fatal(err)
	}
	if patch.Description != "version in the v1.36 series" {
		t.Errorf("a patch upgrade is described as %q", patch.Description)
	}
	if got := patch.Components[len(patch.Components)-1]; got != (ComponentUpgrade{Name: "kubeadm", CurrentVersion: "v1.36.4", NewVersion: "v1.36.5"}) {
		t.Errorf("a target newer than kadm does not ask for a newer kadm: %+v", got)
	}
}

func TestAvailableUpToDate(t *testing.T) {
	t.Parallel()
	s := &State{ClusterVersion: "v1.37.2", APIServer: Versions{"v1.37.2": {"cp1"}}}
	for _, target := range []string{"v1.37.2", "v1.37.1"} {
		up, err := Available(s, Offer{Target: Release{Version: target}, KadmVersion: "v1.37.2"})
		if err != nil || up != nil {
			t.Errorf("target %s on a v1.37.2 cluster: %+v, %v; want nothing to do", target, up, err)
		}
	}
	// The kubelets alone need no control-plane upgrade: they are upgraded by hand.
	s.Kubelet = Versions{"v1.36.3": {"w1"}}
	if up, err := Available(s, Offer{Target: Release{Version: "v1.37.2"}, KadmVersion: "v1.37.2"}); err != nil || up != nil {
		t.Errorf("old kubelets only: %+v, %v", up, err)
	}
}

func TestUnupgradedControlPlanes(t *testing.T) {
	t.Parallel()
	client := cluster("v1.37.2",
		mirrorPod("kube-apiserver", "cp1", "registry.k8s.io/kube-apiserver:v1.37.2"),
		mirrorPod("kube-apiserver", "cp2", "registry.k8s.io/kube-apiserver:v1.36.3"),
		mirrorPod("kube-apiserver", "cp3", "registry.k8s.io/kube-apiserver:v1.37.2"))
	got, err := UnupgradedControlPlanes(t.Context(), client, objects.Policy{}, "cp1")
	if err != nil || !cmp.Equal(got, []string{"cp2"}) {
		t.Errorf("from cp1 = %v, %v; want [cp2]", got, err)
	}
	if _, err := UnupgradedControlPlanes(t.Context(), client, objects.Policy{}, "worker"); err == nil ||
		err.Error() != "cannot find kube-apiserver image for current control plane instance worker" {
		t.Errorf("from a node without an API server: %v", err)
	}
	if _, err := UnupgradedControlPlanes(t.Context(), cluster("v1.37.2"), objects.Policy{}, "cp1"); err == nil {
		t.Error("no API server Pod at all passed")
	}
}

func TestConfigVersions(t *testing.T) {
	t.Parallel()
	cm := func(name, key, doc string, signed bool) runtime.Object {
		c := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: metav1.NamespaceSystem}, Data: map[string]string{key: doc}}
		if signed {
			clusterconfig.Sign(c)
		}
		return c
	}
	comps := []ComponentConfig{
		{APIVersion: "kubeproxy.config.k8s.io/v1alpha1", ConfigMap: "kube-proxy", Key: "config.conf"},
		{APIVersion: "kubelet.config.k8s.io/v1beta1", ConfigMap: "kubelet-config", Key: "kubelet"},
	}
	tests := []struct {
		name string
		objs []runtime.Object
		want []ConfigVersion
	}{
		{"current", []runtime.Object{
			cm("kube-proxy", "config.conf", "apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\n", true),
			cm("kubelet-config", "kubelet", "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n", false),
		}, []ConfigVersion{
			{Group: "kubeproxy.config.k8s.io", CurrentVersion: "v1alpha1", PreferredVersion: "v1alpha1"},
			{Group: "kubelet.config.k8s.io", CurrentVersion: "v1beta1", PreferredVersion: "v1beta1"},
		}},
		{"absent", nil, []ConfigVersion{
			{Group: "kubeproxy.config.k8s.io", PreferredVersion: "v1alpha1"},
			{Group: "kubelet.config.k8s.io", PreferredVersion: "v1beta1"},
		}},
		{"old, generated and a user's", []runtime.Object{
			cm("kube-proxy", "config.conf", "apiVersion: kubeproxy.config.k8s.io/v1alpha0\n", true),
			cm("kubelet-config", "kubelet", "apiVersion: kubelet.config.k8s.io/v1alpha1\n", false),
		}, []ConfigVersion{
			{Group: "kubeproxy.config.k8s.io", PreferredVersion: "v1alpha1"},
			{Group: "kubelet.config.k8s.io", CurrentVersion: "v1alpha1", PreferredVersion: "v1beta1", ManualUpgradeRequired: true},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ConfigVersions(t.Context(), cluster("v1.37.2", tt.objs...), objects.Policy{}, comps)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ConfigVersions (-want +got):\n%s", diff)
			}
		})
	}
}
