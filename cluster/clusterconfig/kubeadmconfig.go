package clusterconfig

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kadm-project/kadm/cluster/bootstraptoken"
	"github.com/kadm-project/kadm/cluster/objects"
	"github.com/kadm-project/kadm/config"
)

// Names and keys kubeadm uses; joining kubeadm and kadm nodes read them.
const (
	KubeadmConfigMap        = "kubeadm-config"
	ClusterConfigurationKey = "ClusterConfiguration"
	KubeadmConfigRBACName   = "kubeadm:nodes-kubeadm-config"
)

// KubeadmConfig is the kubeadm-config ConfigMap: the ClusterConfiguration
// as v1beta4 YAML, which joining control-plane nodes and upgrades start from.
// The Init part stays out: it holds tokens and this node's own settings.
func KubeadmConfig(cluster *config.ClusterConfiguration) (*corev1.ConfigMap, error) {
	c := *cluster
	b, err := config.Marshal(&config.Documents{Cluster: &c})
	if err != nil {
		return nil, fmt.Errorf("encode the ClusterConfiguration for %s: %w", KubeadmConfigMap, err)
	}
	return &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: KubeadmConfigMap, Namespace: metav1.NamespaceSystem},
		Data:       map[string]string{ClusterConfigurationKey: string(b)},
	}, nil
}

// UploadKubeadmConfig stores cluster in kubeadm-config, with the RBAC that lets joining
// nodes and nodes read it; init's upload-config and upgrade apply's both write it so.
func UploadKubeadmConfig(ctx context.Context, w objects.Writer, cluster *config.ClusterConfiguration) error {
	cm, err := KubeadmConfig(cluster)
	if err != nil {
		return err
	}
	return objects.ApplyAll(ctx, w, append([]runtime.Object{cm}, KubeadmConfigRBAC()...)...)
}

// KubeadmConfigRBAC lets bootstrap tokens (joining nodes) and nodes read
// kubeadm-config and nothing else in kube-system.
func KubeadmConfigRBAC() []runtime.Object {
	return readConfigMapRBAC(KubeadmConfigRBACName, KubeadmConfigMap,
		group(bootstraptoken.NodeBootstrapTokenGroup), group(bootstraptoken.NodesGroup))
}

// readConfigMapRBAC is a Role that may get one ConfigMap, bound to subjects.
func readConfigMapRBAC(name, configMap string, subjects ...rbacv1.Subject) []runtime.Object {
	return []runtime.Object{
		&rbacv1.Role{
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: metav1.NamespaceSystem},
			Rules: []rbacv1.PolicyRule{{
				Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"configmaps"},
				ResourceNames: []string{configMap},
			}},
		},
		&rbacv1.RoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: metav1.NamespaceSystem},
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: name},
			Subjects:   subjects,
		},
	}
}

// group carries the API group the server would default, so that a stored
// binding equals the wanted one and a rerun does not rewrite it.
func group(name string) rbacv1.Subject {
	return rbacv1.Subject{APIGroup: rbacv1.GroupName, Kind: rbacv1.GroupKind, Name: name}
}
