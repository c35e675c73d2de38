// Package phases holds what the init, join and reset phase trees share (progress lines for
// certificates and kubeconfig files, the kubelet restart and health wait, the control-plane
// wait, preflight runs); the trees live in phases/init, phases/join and phases/reset, the
// runner in phases/workflow and the flag names in phases/options.
package phases
