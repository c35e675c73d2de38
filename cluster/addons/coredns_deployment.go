package addons

import (
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"github.com/kadm-project/kadm/config"
)

// coreDNSDeployment runs CoreDNS as kubeadm does: two replicas spread over
// nodes, allowed onto control-plane nodes (often the only nodes when DNS
// first starts), with the host's resolver as upstream (dnsPolicy Default,
// since CoreDNS cannot resolve through itself) and as few privileges as a
// server on port 53 needs.
func coreDNSDeployment(image string) *appsv1.Deployment {
	labels := map[string]string{appLabel: kubeDNS}
	oneUnavailable := intstr.FromInt32(1)
	return &appsv1.Deployment{
		TypeMeta:   typeMeta(appsv1.SchemeGroupVersion.String(), "Deployment"),
		ObjectMeta: metav1.ObjectMeta{Name: coreDNSName, Namespace: Namespace, Labels: labels},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To[int32](coreDNSReplicas),
			Strategy: appsv1.DeploymentStrategy{
				Type:          appsv1.RollingUpdateDeploymentStrategyType,
				RollingUpdate: &appsv1.RollingUpdateDeployment{MaxUnavailable: &oneUnavailable},
			},
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{
					PriorityClassName:  "system-cluster-critical",
					ServiceAccountName: coreDNSName,
					Affinity:           spreadOverNodes(),
					Tolerations: []corev1.Toleration{
						{Key: "CriticalAddonsOnly", Operator: corev1.TolerationOpExists},
						{Key: config.ControlPlaneTaintKey, Effect: corev1.TaintEffectNoSchedule},
					},
					NodeSelector: map[string]string{osLabel: linux},
					Containers:   []corev1.Container{coreDNSContainer(image)},
					DNSPolicy:    corev1.DNSDefault,
					Volumes: []corev1.Volume{{
						Name: "config-volume",
						VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
							LocalObjectReference: corev1.LocalObjectReference{Name: coreDNSName},
							Items:                []corev1.KeyToPath{{Key: corefileKey, Path: corefileKey}},
						}},
					}},
				},
			},
		},
	}
}

// spreadOverNodes prefers one CoreDNS Pod per node, so that losing a node
// does not take cluster DNS with it.
func spreadOverNodes() *corev1.Affinity {
	return &corev1.Affinity{PodAntiAffinity: &corev1.PodAntiAffinity{
		PreferredDuringSchedulingIgnoredDuringExecution: []corev1.WeightedPodAffinityTerm{{
			Weight: 100,
			PodAffinityTerm: corev1.PodAffinityTerm{
				LabelSelector: &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{
					Key: appLabel, Operator: metav1.LabelSelectorOpIn, Values: []string{kubeDNS},
				}}},
				TopologyKey: "kubernetes.io/hostname",
			},
		}},
	}}
}

func coreDNSContainer(image string) corev1.Container {
	port := func(name string, proto corev1.Protocol, n int32) corev1.ContainerPort {
		return corev1.ContainerPort{Name: name, Protocol: proto, ContainerPort: n}
	}
	probe := func(path, port string) corev1.ProbeHandler {
		return corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: path, Port: intstr.FromString(port), Scheme: corev1.URISchemeHTTP}}
	}
	return corev1.Container{
		Name:            coreDNSName,
		Image:           image,
		ImagePullPolicy: corev1.PullIfNotPresent,
		Resources: corev1.ResourceRequirements{
			Limits: corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("170Mi")},
			Requests: corev1.ResourceList{
				corev1.ResourceCPU:    resource.MustParse("100m"),
				corev1.ResourceMemory: resource.MustParse("70Mi"),
			},
		},
		Args:         []string{"-conf", coreDNSConfigDir + "/" + corefileKey},
		VolumeMounts: []corev1.VolumeMount{{Name: "config-volume", MountPath: coreDNSConfigDir, ReadOnly: true}},
		Ports: []corev1.ContainerPort{
			port("dns", corev1.ProtocolUDP, dnsPort),
			port("dns-tcp", corev1.ProtocolTCP, dnsPort),
			port("metrics", corev1.ProtocolTCP, coreDNSMetrics),
			port("liveness-probe", corev1.ProtocolTCP, 8080),
			port("readiness-probe", corev1.ProtocolTCP, 8181),
		},
		LivenessProbe: &corev1.Probe{
			ProbeHandler:        probe("/health", "liveness-probe"),
			InitialDelaySeconds: 60,
			TimeoutSeconds:      5,
			SuccessThreshold:    1,
			FailureThreshold:    5,
		},
		ReadinessProbe: &corev1.Probe{ProbeHandler: probe("/ready", "readiness-probe")},
		SecurityContext: &corev1.SecurityContext{
			AllowPrivilegeEscalation: ptr.To(false),
			Capabilities: &corev1.Capabilities{
				Add:  []corev1.Capability{"NET_BIND_SERVICE"},
				Drop: []corev1.Capability{"ALL"},
			},
			ReadOnlyRootFilesystem: ptr.To(true),
		},
	}
}
