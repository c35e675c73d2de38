package addons

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kadm-project/kadm/config"
)

// The kube-proxy ConfigMap and the key of its KubeProxyConfiguration, which upgrades read
// back to keep a user's configuration.
const (
	KubeProxyConfigMap = kubeProxyName
	KubeProxyConfigKey = "config.conf"
)

const (
	kubeProxyName = "kube-proxy"
	// kubeProxyBinding grants kube-proxy the node-proxier role that the API
	// server bootstraps; the name is kubeadm's, so either tool finds it.
	kubeProxyBinding    = "kubeadm:node-proxier"
	nodeProxierRole     = "system:node-proxier"
	kubeProxyKubeconfig = "kubeconfig.conf"
	kubeProxyConfigDir  = "/var/lib/kube-proxy"
)

// KubeProxyInput is what the kube-proxy addon is made from.
type KubeProxyInput struct {
	Cluster *config.ClusterConfiguration
	// LocalAPIEndpoint is this node's API server, which kube-proxy talks to
	// when the cluster has no controlPlaneEndpoint; its address family also
	// picks the default bindAddress.
	LocalAPIEndpoint config.APIEndpoint
	// Config is the config file's KubeProxyConfiguration document as
	// written, nil when the file has none.
	Config []byte
	// Environ is the environment, as os.Environ returns it, whose *_proxy
	// variables kube-proxy inherits so that it reaches the API server the
	// way kadm did. Nil adds none.
	Environ []string
}

// KubeProxy builds the kube-proxy addon: its ServiceAccount and RBAC, the
// kube-proxy ConfigMap (KubeProxyConfiguration and in-cluster kubeconfig)
// and the DaemonSet, patched by patch when set.
func KubeProxy(in KubeProxyInput, patch PatchFunc) (*Addon, error) {
	cm, err := kubeProxyConfigMap(in)
	if err != nil {
		return nil, err
	}
	ds, err := patched(kubeProxyDaemonSet(config.KubernetesImage(in.Cluster, config.ImageKubeProxy)), PatchTargetKubeProxyDaemonSet, patch)
	if err != nil {
		return nil, fmt.Errorf("patch the kube-proxy DaemonSet: %w", err)
	}
	container := &ds.Spec.Template.Spec.Containers[0]
	container.Env = append(container.Env, proxyEnv(in.Environ)...)

	a := &Addon{Name: kubeProxyName}
	a.add(&corev1.ServiceAccount{
		TypeMeta:   typeMeta("v1", "ServiceAccount"),
		ObjectMeta: metav1.ObjectMeta{Name: kubeProxyName, Namespace: Namespace},
	})
	a.add(&rbacv1.ClusterRoleBinding{
		TypeMeta:   typeMeta(rbacv1.SchemeGroupVersion.String(), "ClusterRoleBinding"),
		ObjectMeta: metav1.ObjectMeta{Name: kubeProxyBinding},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: nodeProxierRole},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: kubeProxyName, Namespace: Namespace}},
	})
	role, binding := kubeProxyConfigReaders()
	a.add(role)
	a.add(binding)
	a.add(cm)
	a.add(ds)
	return a, nil
}

// kubeProxyConfigReaders let joining nodes, still authenticated by their
// bootstrap token, get the kube-proxy ConfigMap and nothing else in
// kube-system: join reads the cluster's component configuration before the
// node has credentials of its own.
func kubeProxyConfigReaders() (*rbacv1.Role, *rbacv1.RoleBinding) {
	role := &rbacv1.Role{
		TypeMeta:   typeMeta(rbacv1.SchemeGroupVersion.String(), "Role"),
		ObjectMeta: metav1.ObjectMeta{Name: kubeProxyName, Namespace: Namespace},
		Rules: []rbacv1.PolicyRule{{
			Verbs:         []string{"get"},
			APIGroups:     []string{""},
			Resources:     []string{"configmaps"},
			ResourceNames: []string{kubeProxyName},
		}},
	}
	binding := &rbacv1.RoleBinding{
		TypeMeta:   typeMeta(rbacv1.SchemeGroupVersion.String(), "RoleBinding"),
		ObjectMeta: metav1.ObjectMeta{Name: kubeProxyName, Namespace: Namespace},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: kubeProxyName},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.GroupKind, Name: config.DefaultTokenGroup}},
	}
	return role, binding
}
