package upgradeplan

import (
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/version"
	fakediscovery "k8s.io/client-go/discovery/fake"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/kadm-project/kadm/cluster/kube"
	"github.com/kadm-project/kadm/cluster/kube/kubefake"
)

// mirrorPod is a control-plane mirror Pod of component on node running image.
func mirrorPod(component, node, image string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Name: component + "-" + node, Namespace: metav1.NamespaceSystem,
			Labels: map[string]string{"component": component, "tier": "control-plane"},
		},
		Spec: corev1.PodSpec{NodeName: node, Containers: []corev1.Container{{Name: component, Image: image}}},
	}
}

func node(name, kubelet string) *corev1.Node {
	return &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Status:     corev1.NodeStatus{NodeInfo: corev1.NodeSystemInfo{KubeletVersion: kubelet}},
	}
}

func coreDNS(image string) *appsv1.Deployment {
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "coredns", Namespace: metav1.NamespaceSystem, Labels: map[string]string{"k8s-app": "kube-dns"}},
		Spec: appsv1.DeploymentSpec{Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
			Containers: []corev1.Container{{Name: "coredns", Image: image}},
		}}},
	}
}

// cluster is a fake API server that reports serverVersion.
func cluster(serverVersion string, objs ...runtime.Object) kube.Interface {
	c := fake.NewClientset(objs...)
	c.Discovery().(*fakediscovery.FakeDiscovery).FakedServerVersion = &version.Info{GitVersion: serverVersion}
	return kubefake.Wrap(c)
}

// v136Cluster is two control-plane nodes and a worker made by kubeadm v1.36.3.
func v136Cluster() []runtime.Object {
	var objs []runtime.Object
	for _, n := range []string{"cp1", "cp2"} {
		objs = append(objs,
			mirrorPod("kube-apiserver", n, "registry.k8s.io/kube-apiserver:v1.36.3"),
			mirrorPod("kube-controller-manager", n, "registry.k8s.io/kube-controller-manager:v1.36.3"),
			mirrorPod("kube-scheduler", n, "registry.k8s.io/kube-scheduler:v1.36.3"),
			mirrorPod("etcd", n, "registry.k8s.io/etcd:3.6.8-0"),
			node(n, "v1.36.3"))
	}
	return append(objs, node("worker", "v1.36.3"), coreDNS("registry.k8s.io/coredns/coredns:v1.14.2"))
}
