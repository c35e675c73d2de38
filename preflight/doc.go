// Package preflight checks that a host is fit for init or join before kadm
// changes anything; each check has kubeadm's name so ignore lists carry over.
package preflight
