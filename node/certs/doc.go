// Package certs is kubeadm's certificate tree for a control-plane node: which
// CAs, leaves and keys exist, what they contain, and how to create or reuse them.
package certs
