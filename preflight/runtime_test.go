package preflight

import (
	"testing"

	"github.com/kadm-project/kadm/node/cri/crifake"
)

const socket = "unix:///var/run/containerd/containerd.sock"

func TestCRI(t *testing.T) {
	t.Parallel()
	ready := &crifake.Runtime{}
	notReady := &crifake.Runtime{NotReady: "containerd is starting"}
	t.Cleanup(func() {
		if !ready.Closed() {
			t.Error("the CRI check left its connection open")
		}
	})
	runCases(t, []checkCase{
		{name: "ready", check: CRI{Socket: socket, Connect: ready.Connect}, wantName: "CRI"},
		{name: "not ready", check: CRI{Socket: socket, Connect: notReady.Connect}, wantName: "CRI",
			errs: []string{`container runtime condition "RuntimeReady" is not true. reason: NotReady, message: containerd is starting`}},
		{name: "unreachable", check: CRI{Socket: socket, Connect: crifake.Unreachable}, wantName: "CRI",
			errs: []string{"could not connect to the container runtime at " + socket + ": dial unix /var/run/containerd/containerd.sock: connect: no such file or directory; " +
				"is the container runtime (containerd, CRI-O) installed and running? If it listens elsewhere, give its endpoint with --cri-socket"}},
		{name: "not a unix URL", check: CRI{Socket: "tcp://127.0.0.1:1234", Connect: crifake.Unreachable}, wantName: "CRI",
			errs: []string{`"tcp://127.0.0.1:1234" is not a unix:// socket URL`}},
	})
}

func TestContainerRuntimeVersion(t *testing.T) {
	t.Parallel()
	runCases(t, []checkCase{
		{name: "RuntimeConfig implemented", check: ContainerRuntimeVersion{Socket: socket, Connect: (&crifake.Runtime{RuntimeConfig: true}).Connect},
			wantName: "ContainerRuntimeVersion"},
		{name: "RuntimeConfig unimplemented only warns", check: ContainerRuntimeVersion{Socket: socket, Connect: (&crifake.Runtime{}).Connect},
			wantName: "ContainerRuntimeVersion", warnings: []string{"You must update your container runtime to a version that supports the CRI method RuntimeConfig."}},
		{name: "unreachable", check: ContainerRuntimeVersion{Socket: socket, Connect: crifake.Unreachable},
			wantName: "ContainerRuntimeVersion", errs: []string{"could not connect to the container runtime at " + socket}},
	})
}
