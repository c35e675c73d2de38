package main

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

func TestLoadKubeletConfig(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, config, instance  string
		wantStatic, wantHealthz string
		wantRotate              bool
	}{
		{"kubeadm's config with the instance file", "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nstaticPodPath: /etc/kubernetes/manifests\nhealthzBindAddress: 127.0.0.1\nhealthzPort: 10248\nrotateCertificates: true\n",
			"containerRuntimeEndpoint: \"unix:///var/run/containerd/containerd.sock\"\n", "/etc/kubernetes/manifests", "127.0.0.1:10248", true},
		{"defaults", "kind: KubeletConfiguration\n", "", "", "127.0.0.1:10248", false},
		{"the instance file wins", "kind: KubeletConfiguration\nhealthzPort: 10248\n", "healthzPort: 12345\n", "", "127.0.0.1:12345", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := filepath.Join(dir, "config.yaml")
			if err := os.WriteFile(path, []byte(tc.config), 0o644); err != nil {
				t.Fatal(err)
			}
			if tc.instance != "" {
				if err := os.WriteFile(filepath.Join(dir, "instance-config.yaml"), []byte(tc.instance), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			c, err := loadKubeletConfig(path)
			if err != nil {
				t.Fatal(err)
			}
			if c.StaticPodPath != tc.wantStatic || c.healthzAddress() != tc.wantHealthz || c.RotateCertificates != tc.wantRotate {
				t.Errorf("got static %q healthz %q rotate %t", c.StaticPodPath, c.healthzAddress(), c.RotateCertificates)
			}
		})
	}
	bad := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(bad, []byte("kind: KubeProxyConfiguration\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := loadKubeletConfig(bad); err == nil {
		t.Error("a KubeProxyConfiguration was taken for a KubeletConfiguration")
	}
}

func TestKubeletFlags(t *testing.T) {
	t.Parallel()
	o, err := parseKubeletFlags([]string{
		"--kubeconfig=/etc/kubernetes/kubelet.conf", "--hostname-override=Node-A", "--node-ip=10.0.0.2,fd00::2",
		"--register-with-taints=a=b:NoSchedule,c=:NoExecute", "--node-labels=x=y", "--container-runtime-endpoint=unix:///x", "--v=2",
	})
	if err != nil {
		t.Fatalf("unknown kubelet flags must be ignored: %v", err)
	}
	if name, _ := o.nodeName(); name != "node-a" {
		t.Errorf("node name %q, want node-a", name)
	}
	if ip, err := o.hostIP(); err != nil || ip.String() != "10.0.0.2" {
		t.Errorf("host IP %v, %v", ip, err)
	}
	taints, err := o.taints(&kubeletConfig{RegisterWithTaints: []corev1.Taint{{Key: "k", Effect: corev1.TaintEffectNoSchedule}}})
	want := []corev1.Taint{{Key: "k", Effect: "NoSchedule"}, {Key: "a", Value: "b", Effect: "NoSchedule"}, {Key: "c", Effect: "NoExecute"}}
	if err != nil || !slices.Equal(taints, want) {
		t.Errorf("taints %v, %v; want %v", taints, err, want)
	}
	if o.nodeLabels["x"] != "y" {
		t.Errorf("node labels %v", o.nodeLabels)
	}
}
