package staticpod

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/kadm-project/kadm/node/patches"
)

// Patch applies the set's patches for the Pod's component (its name is the
// patch target: "etcd", "kube-apiserver", ...). The patched manifest must
// still be the same Pod: a patch may change anything but what the kubelet
// and kadm identify it by (kind, name, namespace), and unknown fields are an
// error rather than silently dropped. A nil set returns pod unchanged.
func Patch(pod *corev1.Pod, set *patches.Set) (*corev1.Pod, []patches.Applied, error) {
	if !set.Has(pod.Name) {
		return pod, nil, nil
	}
	data, err := Marshal(pod)
	if err != nil {
		return nil, nil, err
	}
	out, applied, err := set.Apply(pod.Name, data)
	if err != nil {
		return nil, nil, fmt.Errorf("patch the %s static Pod: %w", pod.Name, err)
	}
	patched := &corev1.Pod{}
	if err := yaml.UnmarshalStrict(out, patched); err != nil {
		return nil, nil, fmt.Errorf("the patches in %s do not leave a valid %s Pod: %w", set.Dir(), pod.Name, err)
	}
	if patched.APIVersion != pod.APIVersion || patched.Kind != pod.Kind ||
		patched.Name != pod.Name || patched.Namespace != pod.Namespace {
		return nil, nil, fmt.Errorf("the patches in %s turn the %s Pod in %s into %s %s/%s: a patch may not change apiVersion, kind, name or namespace",
			set.Dir(), pod.Name, pod.Namespace, patched.Kind, patched.Namespace, patched.Name)
	}
	return patched, applied, nil
}
