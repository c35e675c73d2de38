package joinphases

import (
	"context"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/klog/v2"

	"github.com/kadm-project/kadm/cluster/kube"

	"github.com/kadm-project/kadm/cluster/clusterconfig"
	"github.com/kadm-project/kadm/cluster/objects"
	"github.com/kadm-project/kadm/internal/progress"
	"github.com/kadm-project/kadm/node/kubelet"
)

// FetchClusterState reads the kubeadm-config and kubelet-config ConfigMaps
// with client, which acts as the bootstrap token, retrying transient errors
// for up to timeout (timeouts.kubernetesAPICall). A ConfigMap that is absent
// or forbidden fails at once: retrying cannot fix either.
func FetchClusterState(ctx context.Context, client kube.Interface, timeout time.Duration, program string) (*ClusterState, error) {
	progress.Printf(ctx, "[preflight] Reading configuration from the %q ConfigMap in namespace %q...\n", clusterconfig.KubeadmConfigMap, metav1.NamespaceSystem)
	progress.Printf(ctx, "[preflight] Use '%s init phase upload-config kubeadm --config your-config-file' to re-upload it.\n", program)
	p := objects.Policy{Timeout: timeout}
	cluster, err := clusterconfig.ReadCluster(ctx, client, p, program)
	if err != nil {
		return nil, bootstrapTokenHint(err, program)
	}
	doc, err := clusterconfig.ReadKubelet(ctx, client, p, program)
	if err != nil {
		return nil, bootstrapTokenHint(err, program)
	}
	kc, warnings, err := kubelet.ClusterConfig(doc, cluster)
	if err != nil {
		return nil, fmt.Errorf("read %s/%s: %w", metav1.NamespaceSystem, clusterconfig.KubeletConfigMap, err)
	}
	for _, w := range warnings {
		klog.V(1).Infof("[preflight] %s/%s: %s", metav1.NamespaceSystem, clusterconfig.KubeletConfigMap, w)
	}
	return &ClusterState{Cluster: cluster, Kubelet: kc}, nil
}

// bootstrapTokenHint says what to check when the join's credentials (the
// TLS bootstrap token, or a discovery file's own) are refused or may not read
// the cluster's configuration. Neither is retried: it fails at once.
func bootstrapTokenHint(err error, program string) error {
	switch {
	case apierrors.IsUnauthorized(err):
		return fmt.Errorf("the API server does not accept the join's credentials (the TLS bootstrap token, or those of the discovery file when no token was given): %w; "+
			"create a token on a control-plane node with '%s token create --print-join-command', or fix the discovery file's credentials", err, program)
	case apierrors.IsForbidden(err):
		return fmt.Errorf("the join's credentials may not read the cluster's configuration: %w; check the token's groups and the cluster's RBAC ('%s init phase bootstrap-token' sets them up)", err, program)
	}
	return err
}
