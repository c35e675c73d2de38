// Package clusterconfig writes and reads the kube-system ConfigMaps that hand the cluster's
// configuration to joining nodes and upgrades (kubeadm-config, kubelet-config), with the RBAC
// that lets nodes read them; it is the one reader of kubeadm-config.
package clusterconfig
