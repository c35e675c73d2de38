package addons

import (
	"maps"
	"slices"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// kubeProxyDaemonSet runs kube-proxy on every Linux node, whatever its
// taints: it programs the node's own network stack, so it shares the host
// network, runs privileged and sees the kernel modules and the xtables lock
// that other iptables users on the host take too.
func kubeProxyDaemonSet(image string) *appsv1.DaemonSet {
	labels := map[string]string{appLabel: kubeProxyName}
	return &appsv1.DaemonSet{
		TypeMeta:   typeMeta(appsv1.SchemeGroupVersion.String(), "DaemonSet"),
		ObjectMeta: metav1.ObjectMeta{Name: kubeProxyName, Namespace: Namespace, Labels: labels},
		Spec: appsv1.DaemonSetSpec{
			Selector:       &metav1.LabelSelector{MatchLabels: labels},
			UpdateStrategy: appsv1.DaemonSetUpdateStrategy{Type: appsv1.RollingUpdateDaemonSetStrategyType},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{
					PriorityClassName: "system-node-critical",
					Containers: []corev1.Container{{
						Name:            kubeProxyName,
						Image:           image,
						ImagePullPolicy: corev1.PullIfNotPresent,
						Command: []string{
							"/usr/local/bin/kube-proxy",
							"--config=" + kubeProxyConfigDir + "/" + KubeProxyConfigKey,
							"--hostname-override=$(NODE_NAME)",
						},
						SecurityContext: &corev1.SecurityContext{Privileged: ptr.To(true)},
						VolumeMounts: []corev1.VolumeMount{
							{Name: kubeProxyName, MountPath: kubeProxyConfigDir},
							{Name: "xtables-lock", MountPath: "/run/xtables.lock"},
							{Name: "lib-modules", MountPath: "/lib/modules", ReadOnly: true},
						},
						Env: []corev1.EnvVar{{
							Name:      "NODE_NAME",
							ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "spec.nodeName"}},
						}},
					}},
					HostNetwork:        true,
					ServiceAccountName: kubeProxyName,
					Volumes: []corev1.Volume{
						{Name: kubeProxyName, VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
							LocalObjectReference: corev1.LocalObjectReference{Name: kubeProxyName},
						}}},
						hostPathVolume("xtables-lock", "/run/xtables.lock", corev1.HostPathFileOrCreate),
						hostPathVolume("lib-modules", "/lib/modules", ""),
					},
					Tolerations:  []corev1.Toleration{{Operator: corev1.TolerationOpExists}},
					NodeSelector: map[string]string{osLabel: linux},
				},
			},
		},
	}
}

func hostPathVolume(name, path string, typ corev1.HostPathType) corev1.Volume {
	src := &corev1.HostPathVolumeSource{Path: path}
	if typ != "" {
		src.Type = &typ
	}
	return corev1.Volume{Name: name, VolumeSource: corev1.VolumeSource{HostPath: src}}
}

// proxyEnv picks the non-empty *_proxy variables (HTTP_PROXY, no_proxy, ...)
// of environ, the last of a name winning, sorted by name so that the
// DaemonSet does not change between runs in the same environment.
func proxyEnv(environ []string) []corev1.EnvVar {
	vars := map[string]string{}
	for _, kv := range environ {
		name, value, ok := strings.Cut(kv, "=")
		if ok && value != "" && strings.HasSuffix(strings.ToLower(name), "_proxy") {
			vars[name] = value
		}
	}
	env := make([]corev1.EnvVar, 0, len(vars))
	for _, name := range slices.Sorted(maps.Keys(vars)) {
		env = append(env, corev1.EnvVar{Name: name, Value: vars[name]})
	}
	return env
}
