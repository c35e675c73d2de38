package joinphases

import (
	"context"
	"fmt"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/klog/v2"

	"github.com/kadm-project/kadm/cluster/kube"

	"github.com/kadm-project/kadm/cluster/clusterconfig"
	"github.com/kadm-project/kadm/cluster/objects"
	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/internal/progress"
	"github.com/kadm-project/kadm/node/cleanup"
	"github.com/kadm-project/kadm/node/kubelet"
)

// FetchClusterState reads the kubeadm-config and kubelet-config ConfigMaps
// with client, which acts as the bootstrap token, retrying transient errors
// for up to cfg's timeouts.kubernetesAPICall. A ConfigMap that is absent or
// forbidden fails at once: retrying cannot fix either. For a control-plane
// join (cfg.ControlPlane set) the paths it will write to, which come from
// the cluster, are checked first (checkPaths).
func FetchClusterState(ctx context.Context, client kube.Interface, cfg *config.JoinConfiguration, program string) (*ClusterState, error) {
	progress.Printf(ctx, "[preflight] Reading configuration from the %q ConfigMap in namespace %q...\n", clusterconfig.KubeadmConfigMap, metav1.NamespaceSystem)
	progress.Printf(ctx, "[preflight] Use '%s init phase upload-config kubeadm --config your-config-file' to re-upload it.\n", program)
	p := objects.Policy{Timeout: cfg.Timeouts.KubernetesAPICall.Duration}
	cluster, err := clusterconfig.ReadCluster(ctx, client, p, program)
	if err != nil {
		return nil, bootstrapTokenHint(err, program)
	}
	if cfg.ControlPlane != nil {
		if err := checkPaths(cluster, program); err != nil {
			return nil, err
		}
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

// checkPaths refuses the paths of the cluster's configuration that a
// control-plane join writes to (the certificate directory, external etcd's
// client files, the etcd data directory) unless they lie where kadm's own
// files do, by reset's rule of what kadm owns (cleanup.Check): whoever may
// edit kube-system/kubeadm-config could otherwise make the join overwrite,
// or change the mode of, files of their choosing. Worker joins write none
// of them.
func checkPaths(cluster *config.ClusterConfiguration, program string) error {
	type owned struct{ field, path, parent string }
	paths := []owned{{"certificatesDir", cluster.CertificatesDir, config.DefaultKubernetesDir}}
	if e := cluster.Etcd.External; e != nil {
		for _, f := range []owned{{"etcd.external.caFile", e.CAFile, ""}, {"etcd.external.certFile", e.CertFile, ""}, {"etcd.external.keyFile", e.KeyFile, ""}} {
			if f.path != "" {
				paths = append(paths, owned{f.field, f.path, config.DefaultKubernetesDir})
			}
		}
	} else if l := cluster.Etcd.Local; l != nil {
		paths = append(paths, owned{"etcd.local.dataDir", l.DataDir, config.DefaultVarLibDir})
	}
	var refused []string
	for _, p := range paths {
		if err := cleanup.Check(p.path, p.parent); err != nil {
			refused = append(refused, fmt.Sprintf("%s %v", p.field, err))
		}
	}
	if len(refused) == 0 {
		return nil
	}
	return fmt.Errorf("%s/%s names paths a control-plane join would write to outside %s and %s (%s): %w; "+
		"check who changed it, and upload a correct ClusterConfiguration with '%s init phase upload-config kubeadm --config FILE' on a control-plane node",
		metav1.NamespaceSystem, clusterconfig.KubeadmConfigMap, config.DefaultKubernetesDir, config.DefaultVarLibDir, strings.Join(refused, "; "), cleanup.ErrNotOwned, program)
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
