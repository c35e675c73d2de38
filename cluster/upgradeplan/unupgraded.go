package upgradeplan

import (
	"context"
	"fmt"
	"slices"

	"github.com/kadm-project/kadm/cluster/kube"
	corev1 "k8s.io/api/core/v1"

	"github.com/kadm-project/kadm/cluster/objects"
)

// UnupgradedControlPlanes lists the control-plane nodes whose kube-apiserver runs another
// image than the one on nodeName, which has just been upgraded: the addons wait for them,
// since a new kube-proxy or CoreDNS may need the new API server. An error says when the
// answer cannot be known (no API server Pod, or none on nodeName).
func UnupgradedControlPlanes(ctx context.Context, client kube.Interface, p objects.Policy, nodeName string) ([]string, error) {
	const selector = "component=" + KubeAPIServer
	pods, err := listSystemPods(ctx, client, p, selector)
	if err != nil {
		return nil, fmt.Errorf("failed to list kube-apiserver Pod from cluster: %w", err)
	}
	if len(pods.Items) == 0 {
		return nil, fmt.Errorf("cannot find kube-apiserver Pod by label selector: %s", selector)
	}
	images := map[string]string{}
	for _, pod := range pods.Items {
		i := slices.IndexFunc(pod.Spec.Containers, func(c corev1.Container) bool { return c.Name == KubeAPIServer })
		if i < 0 {
			return nil, fmt.Errorf("cannot find container by name %q for Pod %s/%s", KubeAPIServer, pod.Namespace, pod.Name)
		}
		images[pod.Spec.NodeName] = pod.Spec.Containers[i].Image
	}
	upgraded, ok := images[nodeName]
	if !ok {
		return nil, fmt.Errorf("cannot find kube-apiserver image for current control plane instance %s", nodeName)
	}
	var behind []string
	for node, image := range images {
		if image != upgraded {
			behind = append(behind, node)
		}
	}
	slices.Sort(behind)
	return behind, nil
}
