// Package upgradeplan reads which versions a cluster runs (API server, controller manager,
// scheduler and etcd per node, the kubelets, CoreDNS), works out what kadm can upgrade it to,
// and enforces kubeadm's version-skew policy on a target version.
package upgradeplan
