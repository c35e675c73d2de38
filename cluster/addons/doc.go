// Package addons builds the CoreDNS and kube-proxy objects that `kadm init`
// installs and creates or updates them in the cluster, idempotently.
package addons
