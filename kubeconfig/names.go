package kubeconfig

// File names under the kubeconfig directory (/etc/kubernetes), as kubeadm
// names them: scripts and the kubelet's systemd drop-in refer to them.
const (
	AdminFile             = "admin.conf"
	SuperAdminFile        = "super-admin.conf"
	KubeletFile           = "kubelet.conf"
	BootstrapKubeletFile  = "bootstrap-kubelet.conf"
	ControllerManagerFile = "controller-manager.conf"
	SchedulerFile         = "scheduler.conf"
)

// Identities written into client certificates. The API server's authorizers
// key on these exact strings, so they must match kubeadm's.
const (
	AdminUser = "kubernetes-admin"
	// ClusterAdminsGroup is bound to cluster-admin by a ClusterRoleBinding,
	// so admin.conf's rights can be revoked, unlike system:masters'.
	ClusterAdminsGroup = "kubeadm:cluster-admins"
	// SuperAdminUser is the break-glass identity of super-admin.conf.
	SuperAdminUser = "kubernetes-super-admin"
	// SystemMastersGroup bypasses authorization entirely.
	SystemMastersGroup = "system:masters"
	// NodeUserPrefix followed by the node name is what the Node authorizer
	// requires of a kubelet.
	NodeUserPrefix        = "system:node:"
	NodesGroup            = "system:nodes"
	ControllerManagerUser = "system:kube-controller-manager"
	SchedulerUser         = "system:kube-scheduler"
)
