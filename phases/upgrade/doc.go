// Package upgradephases holds the phase trees of `upgrade apply` (the first control-plane
// node) and `upgrade node` (every other node), in kubeadm v1.37's order, and the phases
// they share. Phases are thin: typed Data in, calls into node/rollout, cluster/upgradeplan
// and the other domain packages out.
package upgradephases
