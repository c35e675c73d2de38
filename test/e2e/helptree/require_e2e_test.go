//go:build e2e

package helptree

// requireKubeadm is true in the e2e suite, which builds the upstream binary:
// there the conformance test never skips.
const requireKubeadm = true
