package clusterconfig

import (
	"context"
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kadm-project/kadm/cluster/kube"

	"github.com/kadm-project/kadm/cluster/objects"
	"github.com/kadm-project/kadm/config"
)

// ErrMissing is what a read returns, wrapped, when the ConfigMap or its key
// is not there: a cluster not made by kubeadm or kadm, or one whose
// configuration was deleted. Retrying cannot help.
var ErrMissing = errors.New("the cluster's configuration is missing")

// missing is an ErrMissing with its own message.
type missing string

func (m missing) Error() string        { return string(m) }
func (m missing) Is(target error) bool { return target == ErrMissing }

func missingf(format string, args ...any) error { return missing(fmt.Sprintf(format, args...)) }

// ReadCluster reads the ClusterConfiguration stored in kube-system/
// kubeadm-config, with kubeadm's defaults filled in, retrying transient
// errors within p. program is the name kadm was invoked as, for the hint
// on how to upload a missing configuration.
func ReadCluster(ctx context.Context, client kube.Interface, p objects.Policy, program string) (*config.ClusterConfiguration, error) {
	data, err := readKey(ctx, client, p, program, KubeadmConfigMap, ClusterConfigurationKey)
	if err != nil {
		return nil, err
	}
	source := metav1.NamespaceSystem + "/" + KubeadmConfigMap
	docs, err := config.Parse(source, data)
	if err != nil {
		return nil, fmt.Errorf("read the cluster's configuration: %w", err)
	}
	if docs.Cluster == nil {
		return nil, missingf("%s: key %q holds no ClusterConfiguration: re-upload it with '%s init phase upload-config kubeadm --config your-config-file'",
			source, ClusterConfigurationKey, program)
	}
	config.SetClusterDefaults(docs.Cluster)
	return docs.Cluster, nil
}

// ReadKubelet returns the KubeletConfiguration document stored in
// kube-system/kubelet-config, which every joining node's kubelet starts from.
func ReadKubelet(ctx context.Context, client kube.Interface, p objects.Policy, program string) ([]byte, error) {
	return readKey(ctx, client, p, program, KubeletConfigMap, KubeletConfigKey)
}

// ReadKubeletConfigMap returns kube-system/kubelet-config itself, whose hash annotation
// tells an upgrade whether kadm or kubeadm generated it (Generated).
func ReadKubeletConfigMap(ctx context.Context, client kube.Interface, p objects.Policy, program string) (*corev1.ConfigMap, error) {
	cm, err := readConfigMap(ctx, client, p, program, KubeletConfigMap)
	if err != nil {
		return nil, err
	}
	if _, ok := cm.Data[KubeletConfigKey]; !ok {
		return nil, missingKey(KubeletConfigMap, KubeletConfigKey)
	}
	return cm, nil
}

// readKey reads one key of a kube-system ConfigMap.
func readKey(ctx context.Context, client kube.Interface, p objects.Policy, program, name, key string) ([]byte, error) {
	cm, err := readConfigMap(ctx, client, p, program, name)
	if err != nil {
		return nil, err
	}
	v, ok := cm.Data[key]
	if !ok {
		return nil, missingKey(name, key)
	}
	return []byte(v), nil
}

func missingKey(name, key string) error {
	return missingf("the %s/%s ConfigMap has no key %q: it was not written by kubeadm or kadm init", metav1.NamespaceSystem, name, key)
}

// readConfigMap reads a kube-system ConfigMap. One that is absent, and any error that is
// not transient (a forbidden read, say), fail at once; the caller can tell a forbidden
// read with apierrors.IsForbidden.
func readConfigMap(ctx context.Context, client kube.Interface, p objects.Policy, program, name string) (*corev1.ConfigMap, error) {
	var cm *corev1.ConfigMap
	err := objects.Retry(ctx, p, func(ctx context.Context) error {
		var err error
		cm, err = client.CoreV1().ConfigMaps(metav1.NamespaceSystem).Get(ctx, name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return missingf("the %s/%s ConfigMap does not exist: was the cluster set up with kubeadm or kadm init? (upload it with '%s init phase upload-config all')",
				metav1.NamespaceSystem, name, program)
		}
		return err
	})
	if err != nil && !errors.Is(err, ErrMissing) {
		return nil, fmt.Errorf("read the %s/%s ConfigMap: %w", metav1.NamespaceSystem, name, err)
	}
	return cm, err
}
