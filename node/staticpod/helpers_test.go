package staticpod

import (
	corev1 "k8s.io/api/core/v1"
)

// testPod is a small control-plane Pod built the way the components are.
func testPod(image string) *corev1.Pod {
	return New(corev1.Container{
		Name:      "kube-scheduler",
		Image:     image,
		Command:   []string{"kube-scheduler", "--leader-elect=true"},
		Resources: CPURequest("100m"),
	}, []corev1.Volume{
		HostPath("kubeconfig", "/etc/kubernetes/scheduler.conf", corev1.HostPathFileOrCreate),
		HostPath("a-first", "/a", corev1.HostPathDirectoryOrCreate),
	}, nil)
}
