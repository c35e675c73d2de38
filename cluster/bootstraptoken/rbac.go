package bootstraptoken

import (
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	bootstrapapi "k8s.io/cluster-bootstrap/token/api"

	"github.com/kadm-project/kadm/config"
)

// Names of the RBAC objects kubeadm creates for node bootstrap; a kubeadm
// upgrade of a kadm cluster finds and updates them under these names.
const (
	GetNodesName               = "kubeadm:get-nodes"
	KubeletBootstrapName       = "kubeadm:kubelet-bootstrap"
	NodeAutoApproveName        = "kubeadm:node-autoapprove-bootstrap"
	CertificateRotationName    = "kubeadm:node-autoapprove-certificate-rotation"
	APIServerKubeletClientName = "kubeadm:apiserver-kubelet-client"
	ClusterInfoRBACName        = "kubeadm:bootstrap-signer-clusterinfo"
	// NodeBootstrapTokenGroup is the group kubeadm's node tokens authenticate in.
	NodeBootstrapTokenGroup    = config.DefaultTokenGroup
	NodesGroup                 = "system:nodes"
	APIServerKubeletClientUser = "kube-apiserver-kubelet-client"
	anonymousUser              = "system:anonymous"
	nodeBootstrapperRole       = "system:node-bootstrapper"
	nodeClientApprovalRole     = "system:certificates.k8s.io:certificatesigningrequests:nodeclient"
	selfNodeClientApprovalRole = "system:certificates.k8s.io:certificatesigningrequests:selfnodeclient"
	kubeletAPIAdminRole        = "system:kubelet-api-admin"
)

// GetNodesRBAC lets a joining node read Node objects with its token, which
// `join` needs to check that no node with its name exists yet.
func GetNodesRBAC() []runtime.Object {
	return []runtime.Object{
		&rbacv1.ClusterRole{
			ObjectMeta: metav1.ObjectMeta{Name: GetNodesName},
			Rules:      []rbacv1.PolicyRule{{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"nodes"}}},
		},
		clusterRoleBinding(GetNodesName, GetNodesName, group(NodeBootstrapTokenGroup)),
	}
}

// PostCSRsRBAC lets bootstrap tokens post the kubelet's client CSR.
func PostCSRsRBAC() []runtime.Object {
	return []runtime.Object{clusterRoleBinding(KubeletBootstrapName, nodeBootstrapperRole, group(NodeBootstrapTokenGroup))}
}

// AutoApproveRBAC makes the csrapprover controller approve CSRs posted
// with a bootstrap token, so the kubelet gets its first certificate unattended.
func AutoApproveRBAC() []runtime.Object {
	return []runtime.Object{clusterRoleBinding(NodeAutoApproveName, nodeClientApprovalRole, group(NodeBootstrapTokenGroup))}
}

// CertificateRotationRBAC makes the csrapprover approve the renewal CSRs
// nodes post for their own client certificates.
func CertificateRotationRBAC() []runtime.Object {
	return []runtime.Object{clusterRoleBinding(CertificateRotationName, selfNodeClientApprovalRole, group(NodesGroup))}
}

// KubeletAPIRBAC lets the API server's kubelet client certificate use the
// kubelet API (logs, exec, port-forward).
func KubeletAPIRBAC() []runtime.Object {
	return []runtime.Object{clusterRoleBinding(APIServerKubeletClientName, kubeletAPIAdminRole, user(APIServerKubeletClientUser))}
}

// ClusterInfoRBAC lets anyone, unauthenticated, read cluster-info: token
// discovery fetches it before the joining node trusts or is known to the cluster.
func ClusterInfoRBAC() []runtime.Object {
	return []runtime.Object{
		&rbacv1.Role{
			ObjectMeta: metav1.ObjectMeta{Name: ClusterInfoRBACName, Namespace: metav1.NamespacePublic},
			Rules: []rbacv1.PolicyRule{{
				Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"configmaps"},
				ResourceNames: []string{bootstrapapi.ConfigMapClusterInfo},
			}},
		},
		&rbacv1.RoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: ClusterInfoRBACName, Namespace: metav1.NamespacePublic},
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: ClusterInfoRBACName},
			Subjects:   []rbacv1.Subject{user(anonymousUser)},
		},
	}
}

// Subjects carry the API group the server would default, so that a stored
// binding equals the wanted one and a rerun does not rewrite it.
func group(name string) rbacv1.Subject {
	return rbacv1.Subject{APIGroup: rbacv1.GroupName, Kind: rbacv1.GroupKind, Name: name}
}

func user(name string) rbacv1.Subject {
	return rbacv1.Subject{APIGroup: rbacv1.GroupName, Kind: rbacv1.UserKind, Name: name}
}

func clusterRoleBinding(name, clusterRole string, subjects ...rbacv1.Subject) *rbacv1.ClusterRoleBinding {
	return &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: clusterRole},
		Subjects:   subjects,
	}
}
