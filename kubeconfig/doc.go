// Package kubeconfig builds, loads, validates and writes the kubeconfig files
// kadm manages under /etc/kubernetes.
package kubeconfig
