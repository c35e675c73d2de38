package cri

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"google.golang.org/protobuf/encoding/protowire"
)

// criAPIVersion is the CRI version kadm speaks.
const criAPIVersion = "v1"

// runtimeReady is the condition of a runtime that can run containers.
const runtimeReady = "RuntimeReady"

// Version asks the runtime for its name and version.
func (c *Client) Version(ctx context.Context) (Version, error) {
	answer, err := c.call(ctx, callTimeout, "ask the container runtime for its version", runtimeService+"Version", appendString(nil, 1, criAPIVersion))
	if err != nil {
		return Version{}, err
	}
	var v Version
	err = stringFields(answer, map[protowire.Number]*string{2: &v.RuntimeName, 3: &v.RuntimeVersion, 4: &v.RuntimeAPIVersion})
	return v, err
}

// status asks for the runtime's status, with the info map when verbose.
func (c *Client) status(ctx context.Context, what string, verbose bool) (statusResponse, error) {
	answer, err := c.call(ctx, callTimeout, what, runtimeService+"Status", appendBool(nil, 1, verbose))
	if err != nil {
		return statusResponse{}, err
	}
	return decodeStatus(answer)
}

// Ready fails unless the runtime's RuntimeReady condition is true. Like
// kubeadm it does not look at NetworkReady: a node has no Pod network
// before init or join.
func (c *Client) Ready(ctx context.Context) error {
	s, err := c.status(ctx, "container runtime is not running", false)
	if err != nil {
		return err
	}
	for _, cond := range s.conditions {
		if cond.typ == runtimeReady && !cond.status {
			return fmt.Errorf("container runtime condition %q is not true. reason: %s, message: %s", cond.typ, cond.reason, cond.message)
		}
	}
	return nil
}

// RuntimeConfigImplemented reports whether the runtime answers RuntimeConfig
// (containerd from 2.0, CRI-O from 1.28): false when it says the call is
// unimplemented, an error when it fails otherwise.
func (c *Client) RuntimeConfigImplemented(ctx context.Context) (bool, error) {
	_, err := c.call(ctx, callTimeout, "ask the container runtime for its configuration", runtimeService+"RuntimeConfig", nil)
	switch {
	case err == nil:
		return true, nil
	case CodeOf(err) == Unimplemented:
		return false, nil
	}
	return false, err
}

// SandboxImage is the sandbox image the runtime's verbose status reports
// under info["config"].sandboxImage, where containerd and CRI-O put it.
func (c *Client) SandboxImage(ctx context.Context) (string, error) {
	s, err := c.status(ctx, "ask the container runtime for its status", true)
	if err != nil {
		return "", err
	}
	info, ok := s.info["config"]
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
	answer, err := c.call(ctx, callTimeout, "list the Pod sandboxes", runtimeService+"ListPodSandbox", nil)
	if err != nil {
		return nil, err
	}
	return decodePodSandboxes(answer)
}

// StopPodSandbox stops the sandbox id and its containers.
func (c *Client) StopPodSandbox(ctx context.Context, id string) error {
	_, err := c.call(ctx, podTimeout, "stop the Pod sandbox "+id, runtimeService+"StopPodSandbox", appendString(nil, 1, id))
	return err
}

// RemovePodSandbox removes the stopped sandbox id and its containers.
func (c *Client) RemovePodSandbox(ctx context.Context, id string) error {
	_, err := c.call(ctx, podTimeout, "remove the Pod sandbox "+id, runtimeService+"RemovePodSandbox", appendString(nil, 1, id))
	return err
}
