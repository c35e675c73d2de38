package staticpod

import (
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Labels and scheduling values every control-plane Pod carries. Tools find
// the control-plane Pods by the component and tier labels, as they do on a
// kubeadm cluster.
const (
	LabelComponent    = "component"
	LabelTier         = "tier"
	TierControlPlane  = "control-plane"
	PriorityClassName = "system-node-critical"
	// priority is system-node-critical's value. The kubelet admits static
	// Pods without the Priority admission plugin, so the value is written out.
	priority int32 = 2000001000
)

// New wraps the single container of a control-plane component in its Pod:
// named after the container, in kube-system, on the host network, with the
// highest node priority and the runtime's default seccomp profile. Volumes
// are sorted by name so the manifest does not depend on the order they were
// collected in.
func New(c corev1.Container, volumes []corev1.Volume, annotations map[string]string) *corev1.Pod {
	volumes = slices.Clone(volumes)
	slices.SortStableFunc(volumes, func(a, b corev1.Volume) int { return strings.Compare(a.Name, b.Name) })
	p := priority
	return &corev1.Pod{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
		ObjectMeta: metav1.ObjectMeta{
			Name:        c.Name,
			Namespace:   metav1.NamespaceSystem,
			Labels:      map[string]string{LabelComponent: c.Name, LabelTier: TierControlPlane},
			Annotations: annotations,
		},
		Spec: corev1.PodSpec{
			Containers:        []corev1.Container{c},
			Priority:          &p,
			PriorityClassName: PriorityClassName,
			HostNetwork:       true,
			Volumes:           volumes,
			SecurityContext: &corev1.PodSecurityContext{
				SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
			},
		},
	}
}

// HostPath is a hostPath volume. The type is a pointer in the API; kubeadm
// always sets it, even to the empty type of an extraVolume that names none,
// so it is always set here too.
func HostPath(name, path string, typ corev1.HostPathType) corev1.Volume {
	return corev1.Volume{
		Name: name,
		VolumeSource: corev1.VolumeSource{
			HostPath: &corev1.HostPathVolumeSource{Path: path, Type: &typ},
		},
	}
}

// Mount is a volume mount.
func Mount(name, path string, readOnly bool) corev1.VolumeMount {
	return corev1.VolumeMount{Name: name, MountPath: path, ReadOnly: readOnly}
}

// CPURequest reserves cpu (a quantity such as "250m") so that the component
// is not starved by workloads on a busy control-plane node.
func CPURequest(cpu string) corev1.ResourceRequirements {
	return corev1.ResourceRequirements{
		Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(cpu)},
	}
}
