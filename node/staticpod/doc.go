// Package staticpod builds the kubelet static Pods of the control plane in
// kubeadm's shape and writes, reads back, patches and compares their manifests.
package staticpod
