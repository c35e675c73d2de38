// Package clusterconfig builds the kube-system ConfigMaps that hand the cluster's configuration to
// joining nodes and upgrades (kubeadm-config, kubelet-config), with the RBAC that lets nodes read them.
package clusterconfig
