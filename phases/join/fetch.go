package joinphases

import (
	"context"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/klog/v2"

	"github.com/kadm-project/kadm/cluster/clusterconfig"
	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/node/kubelet"
	"github.com/kadm-project/kadm/phases/workflow"
)

// fetchInterval is the pause between two attempts to read a ConfigMap.
const fetchInterval = 500 * time.Millisecond

// FetchClusterState reads the kubeadm-config and kubelet-config ConfigMaps
// with client, which acts as the bootstrap token, retrying transient errors
// for up to timeout (timeouts.kubernetesAPICall). A ConfigMap that is absent
// or forbidden fails at once: retrying cannot fix either.
func FetchClusterState(ctx context.Context, client kubernetes.Interface, timeout time.Duration) (*ClusterState, error) {
	workflow.Printf(ctx, "[preflight] Reading configuration from the %q ConfigMap in namespace %q...\n", clusterconfig.KubeadmConfigMap, metav1.NamespaceSystem)
	workflow.Printf(ctx, "[preflight] Use 'kubeadm init phase upload-config kubeadm --config your-config-file' to re-upload it.\n")
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	data, err := configMapKey(ctx, client, clusterconfig.KubeadmConfigMap, clusterconfig.ClusterConfigurationKey)
	if err != nil {
		return nil, err
	}
	source := metav1.NamespaceSystem + "/" + clusterconfig.KubeadmConfigMap
	docs, err := config.Parse(source, data)
	if err != nil {
		return nil, fmt.Errorf("read the cluster's configuration: %w", err)
	}
	if docs.Cluster == nil {
		return nil, fmt.Errorf("%s: key %q holds no ClusterConfiguration; re-upload it with 'kubeadm init phase upload-config kubeadm --config your-config-file'", source, clusterconfig.ClusterConfigurationKey)
	}
	config.SetClusterDefaults(docs.Cluster)

	doc, err := configMapKey(ctx, client, clusterconfig.KubeletConfigMap, clusterconfig.KubeletConfigKey)
	if err != nil {
		return nil, err
	}
	kc, warnings, err := kubelet.ClusterConfig(doc, docs.Cluster)
	if err != nil {
		return nil, fmt.Errorf("read %s/%s: %w", metav1.NamespaceSystem, clusterconfig.KubeletConfigMap, err)
	}
	for _, w := range warnings {
		klog.V(1).Infof("[preflight] %s/%s: %s", metav1.NamespaceSystem, clusterconfig.KubeletConfigMap, w)
	}
	return &ClusterState{Cluster: docs.Cluster, Kubelet: kc}, nil
}

// configMapKey reads one key of a kube-system ConfigMap.
func configMapKey(ctx context.Context, client kubernetes.Interface, name, key string) ([]byte, error) {
	cms := client.CoreV1().ConfigMaps(metav1.NamespaceSystem)
	for {
		cm, err := cms.Get(ctx, name, metav1.GetOptions{})
		switch {
		case err == nil:
			v, ok := cm.Data[key]
			if !ok {
				return nil, fmt.Errorf("the %s/%s ConfigMap has no key %q: it was not written by kubeadm or kadm init", metav1.NamespaceSystem, name, key)
			}
			return []byte(v), nil
		case apierrors.IsNotFound(err):
			return nil, fmt.Errorf("the %s/%s ConfigMap does not exist: was the cluster set up with kubeadm or kadm init? (upload it with 'kubeadm init phase upload-config all')", metav1.NamespaceSystem, name)
		case apierrors.IsForbidden(err), apierrors.IsUnauthorized(err):
			return nil, fmt.Errorf("the bootstrap token may not read the %s/%s ConfigMap (%w): check the token's groups and the cluster's RBAC ('kubeadm init phase bootstrap-token' sets them up)", metav1.NamespaceSystem, name, err)
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("read the %s/%s ConfigMap: %w", metav1.NamespaceSystem, name, err)
		case <-time.After(fetchInterval):
		}
	}
}
