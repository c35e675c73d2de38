// Package cri is kadm's client of the node's container runtime (containerd,
// CRI-O), spoken to over the Container Runtime Interface: is it running, which
// sandbox image it uses, which images it has, pulling them, and removing the
// node's Pods on reset — what kubeadm asks of the runtime, without crictl.
package cri
