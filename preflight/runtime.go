package preflight

import (
	"context"
	"errors"
	"fmt"

	"github.com/kadm-project/kadm/node/cri"
)

// connectCRI connects as machine.Host.CRI does.
type connectCRI func(ctx context.Context, endpoint string) (cri.Runtime, error)

// runtimeHint is the next step when the runtime cannot be reached.
const runtimeHint = "is the container runtime (containerd, CRI-O) installed and running? " +
	"If it listens elsewhere, give its endpoint with --cri-socket (nodeRegistration.criSocket in the config file)"

// connect connects to the runtime at socket, or says why it could not and
// what to do.
func connect(ctx context.Context, c connectCRI, socket string) (cri.Runtime, error) {
	rt, err := c(ctx, socket)
	if err != nil {
		return nil, fmt.Errorf("%w; %s", err, runtimeHint)
	}
	return rt, nil
}

// CRI asks the container runtime at Socket whether it runs and is ready.
type CRI struct {
	// Socket is the endpoint, e.g. unix:///var/run/containerd/containerd.sock.
	Socket  string
	Connect connectCRI
}

func (CRI) Name() string { return "CRI" }

func (c CRI) Check(ctx context.Context) (warnings, errs []error) {
	rt, err := connect(ctx, c.Connect, c.Socket)
	if err != nil {
		return nil, []error{err}
	}
	defer rt.Close()
	if err := rt.Ready(ctx); err != nil {
		return nil, []error{err}
	}
	return nil, nil
}

// ContainerRuntimeVersion warns, as kubeadm v1.37 does, when the runtime does
// not implement the CRI RuntimeConfig call, from which the kubelet learns
// the cgroup driver; kubelet v1.38 will require it.
type ContainerRuntimeVersion struct {
	Socket  string
	Connect connectCRI
}

func (ContainerRuntimeVersion) Name() string { return "ContainerRuntimeVersion" }

// errNoRuntimeConfig is kubeadm's warning.
var errNoRuntimeConfig = errors.New("You must update your container runtime to a version that supports the CRI method RuntimeConfig. " +
	"Falling back to using cgroupDriver from kubelet config will be removed in 1.38. " +
	"For more information, see https://git.k8s.io/enhancements/keps/sig-node/4033-group-driver-detection-over-cri")

func (c ContainerRuntimeVersion) Check(ctx context.Context) (warnings, errs []error) {
	rt, err := connect(ctx, c.Connect, c.Socket)
	if err != nil {
		return nil, []error{err}
	}
	defer rt.Close()
	ok, err := rt.RuntimeConfigImplemented(ctx)
	if err != nil {
		return nil, []error{fmt.Errorf("could not check if the runtime config is available: %w", err)}
	}
	if !ok {
		return []error{errNoRuntimeConfig}, nil
	}
	return nil, nil
}
