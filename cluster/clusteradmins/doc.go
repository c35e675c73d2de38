// Package clusteradmins ensures the kubeadm:cluster-admins ClusterRoleBinding that gives
// admin.conf's group its rights, using super-admin.conf only while admin.conf has none yet.
package clusteradmins
