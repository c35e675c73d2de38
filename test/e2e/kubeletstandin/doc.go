// Command kubelet-standin plays the parts of a node that kadm's end-to-end
// hosts lack: PID 1 (hostinit), the init system (systemctl) and the kubelet.
//
// A real kubelet needs a container runtime and a cgroup layout the test
// machines do not offer, so this program does what kadm relies on instead:
// it runs static Pod manifests as local processes of the built control-plane
// binaries, performs the kubelet TLS bootstrap with client-go's certificate
// packages, registers its Node and keeps it Ready, and serves /healthz.
//
// The mode is the program's name (as a multi-call binary) or its first
// argument: "kubelet-standin kubelet --config=...", "systemctl restart kubelet".
// See test/e2e/README.md for how a host wires the modes together.
package main
