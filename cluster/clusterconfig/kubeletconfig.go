package clusterconfig

import (
	"crypto/sha256"
	"fmt"
	"maps"
	"slices"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"

	"github.com/kadm-project/kadm/cluster/bootstraptoken"
	"github.com/kadm-project/kadm/config"
)

// Names, key and annotation kubeadm uses for the cluster-wide kubelet configuration.
const (
	KubeletConfigMap      = "kubelet-config"
	KubeletConfigKey      = "kubelet"
	KubeletConfigRBACName = "kubeadm:kubelet-config"
	// ConfigHashAnnotation tells `kubeadm upgrade` that kubeadm generated
	// the content (its hash matches) and may regenerate it.
	ConfigHashAnnotation = "kubeadm.kubernetes.io/component-config.hash"
)

// KubeletConfig is the kubelet-config ConfigMap every joining node's kubelet
// starts from. kubeletYAML is one KubeletConfiguration document, kubeadm's
// defaults with the config file's document merged over them; the kubelet
// package produces it. A configuration kadm generated alone
// (userSupplied false) is annotated with its hash, as kubeadm does, so that
// upgrades may replace it; a user's is left unannotated and kept.
func KubeletConfig(kubeletYAML []byte, userSupplied bool) (*corev1.ConfigMap, error) {
	var head struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
	}
	if err := yaml.Unmarshal(kubeletYAML, &head); err != nil {
		return nil, fmt.Errorf("the kubelet configuration for %s is not YAML: %w", KubeletConfigMap, err)
	}
	if head.APIVersion != config.KubeletConfigAPIVersion || head.Kind != config.KindKubeletConfiguration {
		return nil, fmt.Errorf("the kubelet configuration for %s is %s %q, want %s %s",
			KubeletConfigMap, head.APIVersion, head.Kind, config.KubeletConfigAPIVersion, config.KindKubeletConfiguration)
	}
	cm := &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: KubeletConfigMap, Namespace: metav1.NamespaceSystem},
		Data:       map[string]string{KubeletConfigKey: string(kubeletYAML)},
	}
	if !userSupplied {
		Sign(cm)
	}
	return cm, nil
}

// Sign marks cm, a component configuration kadm generated, with the digest of its content,
// as kubeadm does: an upgrade may then regenerate it, while it keeps one a user supplied.
func Sign(cm *corev1.ConfigMap) {
	if cm.Annotations == nil {
		cm.Annotations = map[string]string{}
	}
	cm.Annotations[ConfigHashAnnotation] = contentHash(cm)
}

// Generated reports whether cm still holds the content kadm or kubeadm signed: nobody
// changed it since, so an upgrade may regenerate it.
func Generated(cm *corev1.ConfigMap) bool {
	sum, ok := cm.Annotations[ConfigHashAnnotation]
	return ok && sum == contentHash(cm)
}

// KubeletConfigRBAC lets nodes and bootstrap tokens read kubelet-config.
func KubeletConfigRBAC() []runtime.Object {
	return readConfigMapRBAC(KubeletConfigRBACName, KubeletConfigMap,
		group(bootstraptoken.NodesGroup), group(bootstraptoken.NodeBootstrapTokenGroup))
}

// contentHash is kubeadm's ConfigMap checksum: SHA-256 over the Data values
// in key order, then the BinaryData values in key order.
func contentHash(cm *corev1.ConfigMap) string {
	h := sha256.New()
	for _, k := range sortedKeys(cm.Data) {
		h.Write([]byte(cm.Data[k]))
	}
	for _, k := range sortedKeys(cm.BinaryData) {
		h.Write(cm.BinaryData[k])
	}
	return fmt.Sprintf("sha256:%x", h.Sum(nil))
}

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}
