package patches

import (
	"fmt"
	"slices"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/kadm-project/kadm/config/componentconfig"
)

// The documents a patch file may name, spelled as kubeadm spells them so
// that a kubeadm patches directory works unchanged.
const (
	TargetEtcd                  = "etcd"
	TargetKubeAPIServer         = "kube-apiserver"
	TargetKubeControllerManager = "kube-controller-manager"
	TargetKubeScheduler         = "kube-scheduler"
	TargetKubeletConfiguration  = "kubeletconfiguration"
	TargetCoreDNSDeployment     = "corednsdeployment"
	TargetKubeProxyDaemonSet    = "kubeproxydaemonset"
)

// Targets lists every target in kubeadm's order, which is also the order in
// which error messages name them.
func Targets() []string {
	return []string{
		TargetEtcd, TargetKubeAPIServer, TargetKubeControllerManager, TargetKubeScheduler,
		TargetKubeletConfiguration, TargetCoreDNSDeployment, TargetKubeProxyDaemonSet,
	}
}

// schema is the Go type whose field tags tell a strategic merge patch how to
// merge each list (by key or by replacement). KubeletConfiguration has no
// such tags, so its strategic patches merge like JSON merge patches, as with
// kubeadm; kadm's wire-compatible copy of it has the same fields, so it
// accepts and rejects the same patches without the kubelet's own module.
func schema(target string) (any, error) {
	switch target {
	case TargetEtcd, TargetKubeAPIServer, TargetKubeControllerManager, TargetKubeScheduler:
		return corev1.Pod{}, nil
	case TargetKubeletConfiguration:
		return componentconfig.KubeletConfiguration{}, nil
	case TargetCoreDNSDeployment:
		return appsv1.Deployment{}, nil
	case TargetKubeProxyDaemonSet:
		return appsv1.DaemonSet{}, nil
	}
	return nil, unknownTarget(target)
}

func unknownTarget(target string) error {
	return fmt.Errorf("unknown patch target %q: must be one of %v", target, Targets())
}

func knownTarget(target string) bool {
	return slices.Contains(Targets(), target)
}
