// Package crifake is an in-memory container runtime for the unit tests of
// cri's users: preflight checks, reset, and the commands that pull images.
package crifake

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/kadm-project/kadm/node/cri"
)

// Runtime is a container runtime held in memory. Its exported fields set
// what it answers; it records what was asked of it.
type Runtime struct {
	// NotReady, when set, is why the runtime is not ready.
	NotReady string
	// RuntimeConfig says whether the RuntimeConfig call is implemented.
	RuntimeConfig bool
	// Sandbox is the sandbox image; empty when the runtime does not say.
	Sandbox string
	// Images are the images present.
	Images []string
	// PullErrs are the errors pulling an image fails with, by image.
	PullErrs map[string]error
	// Pods are the Pod sandboxes.
	Pods []cri.PodSandbox

	mu     sync.Mutex
	pulls  []string
	closed bool
}

var _ cri.Runtime = (*Runtime)(nil)

// Connect is a machine.Host CRI function that reaches r at any endpoint.
func (r *Runtime) Connect(context.Context, string) (cri.Runtime, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = false
	return r, nil
}

// Unreachable is a machine.Host CRI function for a runtime that cannot be
// reached: it fails as cri.Connect does when nothing listens on the socket.
func Unreachable(_ context.Context, endpoint string) (cri.Runtime, error) {
	path, err := cri.SocketPath(endpoint)
	if err != nil {
		return nil, err
	}
	return nil, fmt.Errorf("could not connect to the container runtime at %s: dial unix %s: connect: no such file or directory", endpoint, path)
}

// Pulls are the images pulled, in order.
func (r *Runtime) Pulls() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.pulls)
}

// Closed reports whether the last connection was closed.
func (r *Runtime) Closed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.closed
}

func (r *Runtime) Version(context.Context) (cri.Version, error) {
	return cri.Version{RuntimeName: "fake", RuntimeVersion: "1.0.0", RuntimeAPIVersion: "v1"}, nil
}

func (r *Runtime) Ready(context.Context) error {
	if r.NotReady != "" {
		return fmt.Errorf("container runtime condition %q is not true. reason: NotReady, message: %s", "RuntimeReady", r.NotReady)
	}
	return nil
}

func (r *Runtime) RuntimeConfigImplemented(context.Context) (bool, error) {
	return r.RuntimeConfig, nil
}

func (r *Runtime) SandboxImage(context.Context) (string, error) {
	if r.Sandbox == "" {
		return "", fmt.Errorf("the container runtime's status has no %q information", "config")
	}
	return r.Sandbox, nil
}

func (r *Runtime) ImageExists(_ context.Context, image string) (bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Contains(r.Images, image), nil
}

func (r *Runtime) PullImage(_ context.Context, image string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pulls = append(r.pulls, image)
	if err := r.PullErrs[image]; err != nil {
		return fmt.Errorf("failed to pull image %s: %w", image, err)
	}
	if !slices.Contains(r.Images, image) {
		r.Images = append(r.Images, image)
	}
	return nil
}

func (r *Runtime) PodSandboxes(context.Context) ([]cri.PodSandbox, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.Pods), nil
}

func (r *Runtime) StopPodSandbox(_ context.Context, id string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !slices.ContainsFunc(r.Pods, func(p cri.PodSandbox) bool { return p.ID == id }) {
		return &cri.StatusError{Code: cri.NotFound, Message: fmt.Sprintf("sandbox %s not found", id)}
	}
	return nil
}

func (r *Runtime) RemovePodSandbox(_ context.Context, id string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.Pods = slices.DeleteFunc(r.Pods, func(p cri.PodSandbox) bool { return p.ID == id })
	return nil
}

func (r *Runtime) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
	return nil
}
