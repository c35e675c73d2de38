package cri

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// criAPIVersion is the CRI version kadm speaks.
const criAPIVersion = "v1"

// Version asks the runtime for its name and version.
func (c *Client) Version(ctx context.Context) (Version, error) {
	var r *runtimeapi.VersionResponse
	err := c.call(ctx, callTimeout, "ask the container runtime for its version", func(ctx context.Context) (err error) {
		r, err = c.runtime.Version(ctx, &runtimeapi.VersionRequest{Version: criAPIVersion})
		return err
	})
	if err != nil {
		return Version{}, err
	}
	return Version{RuntimeName: r.GetRuntimeName(), RuntimeVersion: r.GetRuntimeVersion(), RuntimeAPIVersion: r.GetRuntimeApiVersion()}, nil
}

// Ready fails unless the runtime's RuntimeReady condition is true. Like
// kubeadm it does not look at NetworkReady: a node has no Pod network
// before init or join.
func (c *Client) Ready(ctx context.Context) error {
	var r *runtimeapi.StatusResponse
	err := c.call(ctx, callTimeout, "container runtime is not running", func(ctx context.Context) (err error) {
		r, err = c.runtime.Status(ctx, &runtimeapi.StatusRequest{})
		return err
	})
	if err != nil {
		return err
	}
	for _, cond := range r.GetStatus().GetConditions() {
		if cond.GetType() == runtimeapi.RuntimeReady && !cond.GetStatus() {
			return fmt.Errorf("container runtime condition %q is not true. reason: %s, message: %s",
				cond.GetType(), cond.GetReason(), cond.GetMessage())
		}
	}
	return nil
}

// RuntimeConfigImplemented reports whether the runtime answers RuntimeConfig
// (containerd from 2.0, CRI-O from 1.28): false when it says the call is
// unimplemented, an error when it fails otherwise.
func (c *Client) RuntimeConfigImplemented(ctx context.Context) (bool, error) {
	err := c.call(ctx, callTimeout, "ask the container runtime for its configuration", func(ctx context.Context) error {
		_, err := c.runtime.RuntimeConfig(ctx, &runtimeapi.RuntimeConfigRequest{})
		return err
	})
	switch {
	case err == nil:
		return true, nil
	case status.Code(err) == codes.Unimplemented:
		return false, nil
	}
	return false, err
}

// SandboxImage is the sandbox image the runtime's verbose status reports
// under info["config"].sandboxImage, where containerd and CRI-O put it.
func (c *Client) SandboxImage(ctx context.Context) (string, error) {
	var r *runtimeapi.StatusResponse
	err := c.call(ctx, callTimeout, "ask the container runtime for its status", func(ctx context.Context) (err error) {
		r, err = c.runtime.Status(ctx, &runtimeapi.StatusRequest{Verbose: true})
		return err
	})
	if err != nil {
		return "", err
	}
	info, ok := r.GetInfo()["config"]
	if !ok {
		return "", errors.New("the container runtime's status has no \"config\" information")
	}
	var cfg struct {
		SandboxImage string `json:"sandboxImage"`
	}
	if err := json.Unmarshal([]byte(info), &cfg); err != nil {
		return "", fmt.Errorf("read the container runtime's \"config\" information: %w", err)
	}
	if cfg.SandboxImage == "" {
		return "", errors.New("the container runtime's \"config\" information names no sandboxImage")
	}
	return cfg.SandboxImage, nil
}

// PodSandboxes lists every Pod sandbox the runtime has, running or not.
func (c *Client) PodSandboxes(ctx context.Context) ([]PodSandbox, error) {
	var r *runtimeapi.ListPodSandboxResponse
	err := c.call(ctx, callTimeout, "list the Pod sandboxes", func(ctx context.Context) (err error) {
		r, err = c.runtime.ListPodSandbox(ctx, &runtimeapi.ListPodSandboxRequest{})
		return err
	})
	if err != nil {
		return nil, err
	}
	pods := make([]PodSandbox, 0, len(r.GetItems()))
	for _, s := range r.GetItems() {
		pods = append(pods, PodSandbox{ID: s.GetId(), Name: s.GetMetadata().GetName(), Namespace: s.GetMetadata().GetNamespace()})
	}
	return pods, nil
}

// StopPodSandbox stops the sandbox id and its containers.
func (c *Client) StopPodSandbox(ctx context.Context, id string) error {
	return c.call(ctx, podTimeout, "stop the Pod sandbox "+id, func(ctx context.Context) error {
		_, err := c.runtime.StopPodSandbox(ctx, &runtimeapi.StopPodSandboxRequest{PodSandboxId: id})
		return err
	})
}

// RemovePodSandbox removes the stopped sandbox id and its containers.
func (c *Client) RemovePodSandbox(ctx context.Context, id string) error {
	return c.call(ctx, podTimeout, "remove the Pod sandbox "+id, func(ctx context.Context) error {
		_, err := c.runtime.RemovePodSandbox(ctx, &runtimeapi.RemovePodSandboxRequest{PodSandboxId: id})
		return err
	})
}
