// Package rollout replaces this node's static Pods one at a time during an upgrade: it
// backs up each old manifest where kubeadm does, writes the new one, waits (bounded) for
// the kubelet to run it, and puts the old one back when the new Pod does not come up. It
// also backs up and restores the stacked etcd member's data.
package rollout
