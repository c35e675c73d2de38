// Package patches reads a --patches directory and applies its strategic,
// merge and JSON patches to the documents kadm generates, in kubeadm's order.
package patches
