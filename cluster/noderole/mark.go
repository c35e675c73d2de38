package noderole

import (
	"context"
	"encoding/json"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/kadm-project/kadm/cluster/kube"

	"github.com/kadm-project/kadm/cluster/objects"
	"github.com/kadm-project/kadm/config"
)

// Labels kubeadm puts on control-plane nodes, with an empty value.
const (
	ControlPlaneLabel   = config.ControlPlaneTaintKey
	ExcludeFromLBsLabel = "node.kubernetes.io/exclude-from-external-load-balancers"
)

// ControlPlaneLabels lists the labels in kubeadm's order, for its progress line.
func ControlPlaneLabels() []string {
	return []string{ControlPlaneLabel, ExcludeFromLBsLabel}
}

// TaintStrings renders taints as kubeadm prints them (key[=value]:Effect).
func TaintStrings(taints []corev1.Taint) []string {
	out := make([]string, len(taints))
	for i := range taints {
		out[i] = taints[i].ToString()
	}
	return out
}

// Mark waits until the kubelet has registered the Node called name, then
// adds the control-plane labels and taints it lacks, keeping its other
// taints. A Node that already has them all is not written. The patch
// carries the resourceVersion it was computed from, so a concurrent change
// (the kubelet updating its Node) is a conflict and is retried.
func Mark(ctx context.Context, client kube.Interface, p objects.Policy, name string, taints []corev1.Taint) error {
	nodes := client.CoreV1().Nodes()
	err := objects.Retry(ctx, p, func(ctx context.Context) error {
		node, err := nodes.Get(ctx, name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return objects.Retryable(fmt.Errorf("node %q is not registered yet: is the kubelet running?", name))
		}
		if err != nil {
			return err
		}
		patch, err := markPatch(node, taints)
		if err != nil || patch == nil {
			return err
		}
		_, err = nodes.Patch(ctx, name, types.MergePatchType, patch, metav1.PatchOptions{})
		if apierrors.IsNotFound(err) {
			return objects.Retryable(err)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("mark Node %q as a control-plane node: %w", name, err)
	}
	return nil
}

// markPatch is the JSON merge patch that adds what node lacks, or nil.
// Taints are a list, which a merge patch replaces whole: the patch holds
// the node's taints followed by the missing ones.
func markPatch(node *corev1.Node, taints []corev1.Taint) ([]byte, error) {
	labels := map[string]string{}
	for _, l := range ControlPlaneLabels() {
		if v, ok := node.Labels[l]; !ok || v != "" {
			labels[l] = ""
		}
	}
	all := append([]corev1.Taint(nil), node.Spec.Taints...)
	for _, t := range taints {
		if !hasTaint(node.Spec.Taints, t) {
			all = append(all, t)
		}
	}
	addTaints := len(all) > len(node.Spec.Taints)
	if len(labels) == 0 && !addTaints {
		return nil, nil
	}
	type meta struct {
		ResourceVersion string            `json:"resourceVersion"`
		Labels          map[string]string `json:"labels,omitempty"`
	}
	type spec struct {
		Taints []corev1.Taint `json:"taints"`
	}
	patch := struct {
		Metadata meta  `json:"metadata"`
		Spec     *spec `json:"spec,omitempty"`
	}{Metadata: meta{ResourceVersion: node.ResourceVersion, Labels: labels}}
	if addTaints {
		patch.Spec = &spec{Taints: all}
	}
	b, err := json.Marshal(patch)
	if err != nil {
		return nil, fmt.Errorf("encode the patch for Node %q: %w", node.Name, err)
	}
	return b, nil
}

// hasTaint matches on key, value and effect; when a taint was added does
// not make it another taint.
func hasTaint(taints []corev1.Taint, t corev1.Taint) bool {
	for _, have := range taints {
		if have.Key == t.Key && have.Value == t.Value && have.Effect == t.Effect {
			return true
		}
	}
	return false
}
