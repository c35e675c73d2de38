//go:build !e2e

package helptree

// requireKubeadm is false in make test: without the upstream binary the
// conformance test is skipped.
const requireKubeadm = false
