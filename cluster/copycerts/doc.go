// Package copycerts moves the cluster's shared CAs and keys to new control-plane nodes through the
// kubeadm-certs Secret, encrypted with the certificate key: upload on init, download on join.
package copycerts
