// Package dryrun is the directory a dry run writes into instead of the
// host's paths: the operator's (KUBEADM_*_DRYRUN_DIR) or one of its own,
// private to root, which it removes when the run ends.
package dryrun
