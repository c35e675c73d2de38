// Package kubelet writes the files kubeadm gives the kubelet (config.yaml,
// instance-config.yaml, kubeadm-flags.env), waits for its health and moves it to rotated client certificates.
package kubelet
