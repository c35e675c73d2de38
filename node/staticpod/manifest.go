package staticpod

import (
	"fmt"
	"os"
	"path/filepath"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"sigs.k8s.io/yaml"
)

// Path is where the manifest of the Pod called name lives in dir; the kubelet
// and kubeadm expect "<name>.yaml".
func Path(dir, name string) string {
	return filepath.Join(dir, name+".yaml")
}

// Marshal renders pod as kubeadm renders a manifest: the API's JSON field
// names, keys sorted, as YAML.
func Marshal(pod *corev1.Pod) ([]byte, error) {
	b, err := yaml.Marshal(pod)
	if err != nil {
		return nil, fmt.Errorf("marshal the %s Pod: %w", pod.Name, err)
	}
	return b, nil
}

// Decode reads a manifest. Unknown fields are tolerated, as the kubelet
// tolerates them, so that a manifest written by a newer tool still reads.
func Decode(data []byte) (*corev1.Pod, error) {
	pod := &corev1.Pod{}
	if err := yaml.Unmarshal(data, pod); err != nil {
		return nil, err
	}
	if pod.APIVersion != "v1" || pod.Kind != "Pod" {
		return nil, fmt.Errorf("not a v1 Pod (apiVersion %q, kind %q)", pod.APIVersion, pod.Kind)
	}
	return pod, nil
}

// Read reads the manifest at path.
func Read(path string) (*corev1.Pod, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read static Pod manifest: %w", err)
	}
	pod, err := Decode(data)
	if err != nil {
		return nil, fmt.Errorf("read static Pod manifest %s: %w", path, err)
	}
	return pod, nil
}

// Equal is true when a and b describe the same Pod, whatever the formatting
// of their manifests: quantities compare by value ("0.1" equals "100m").
func Equal(a, b *corev1.Pod) bool {
	return equality.Semantic.DeepEqual(a, b)
}
