// Package controlplane builds the kube-apiserver, kube-controller-manager and
// kube-scheduler static Pods exactly as kubeadm v1.37 does for the same config.
package controlplane
