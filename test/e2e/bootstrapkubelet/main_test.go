package main

import "testing"

func TestParse(t *testing.T) {
	t.Parallel()
	// As the drop-in and kubeadm-flags.env pass them, with flags the
	// stand-in does not know in both forms.
	o := parse([]string{"--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf", "--kubeconfig=/etc/kubernetes/kubelet.conf",
		"--config=/var/lib/kubelet/config.yaml", "--container-runtime-endpoint=unix:///run/containerd/containerd.sock",
		"--cgroup-root", "/kadm-e2e-w1", "--hostname-override", "worker-1", "--fail-cgroupv1=false"})
	want := options{bootstrapKubeconfig: "/etc/kubernetes/bootstrap-kubelet.conf", kubeconfig: "/etc/kubernetes/kubelet.conf",
		config: "/var/lib/kubelet/config.yaml", certDir: "/var/lib/kubelet/pki", hostname: "worker-1"}
	if o != want {
		t.Errorf("parse = %+v, want %+v", o, want)
	}
}
