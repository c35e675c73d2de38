package cri

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"time"
)

// Runtime is what kadm asks of a container runtime. *Client is the real one;
// the unit tests of its users fake it.
type Runtime interface {
	// Version is the runtime's name and version.
	Version(ctx context.Context) (Version, error)
	// Ready fails unless the runtime reports its RuntimeReady condition true.
	Ready(ctx context.Context) error
	// RuntimeConfigImplemented reports whether the runtime answers the
	// RuntimeConfig call, from which the kubelet learns the cgroup driver.
	RuntimeConfigImplemented(ctx context.Context) (bool, error)
	// SandboxImage is the image the runtime runs Pod sandboxes from.
	SandboxImage(ctx context.Context) (string, error)
	// ImageExists reports whether the runtime has image.
	ImageExists(ctx context.Context, image string) (bool, error)
	// PullImage pulls image once.
	PullImage(ctx context.Context, image string) error
	// PodSandboxes lists the runtime's Pod sandboxes.
	PodSandboxes(ctx context.Context) ([]PodSandbox, error)
	// StopPodSandbox stops a sandbox and the containers in it.
	StopPodSandbox(ctx context.Context, id string) error
	// RemovePodSandbox removes a stopped sandbox and its containers.
	RemovePodSandbox(ctx context.Context, id string) error
	// Close ends the connection.
	Close() error
}

// Version is what the runtime says it is.
type Version struct {
	RuntimeName       string
	RuntimeVersion    string
	RuntimeAPIVersion string
}

// PodSandbox is one Pod's sandbox in the runtime.
type PodSandbox struct {
	ID        string
	Name      string
	Namespace string
}

// Dialer connects to the runtime's socket.
type Dialer func(ctx context.Context, network, address string) (net.Conn, error)

// Time limits of the calls, which kubeadm (like crictl) bounds at 2 s. Pod
// removal stops containers, which takes longer.
const (
	callTimeout = 2 * time.Second
	podTimeout  = 10 * time.Second
)

// maxMsgSize is the largest answer accepted, the kubelet's limit: a node's
// list of sandboxes can be long.
const maxMsgSize = 16 << 20

// The CRI services, as gRPC names their methods.
const (
	runtimeService = "/runtime.v1.RuntimeService/"
	imageService   = "/runtime.v1.ImageService/"
)

// Client is a connection to a container runtime's CRI socket.
type Client struct {
	conn *conn
}

var _ Runtime = (*Client)(nil)

// Connect connects to the runtime at endpoint, a unix:// URL such as
// unix:///var/run/containerd/containerd.sock, and asks for its version, so
// that a runtime that is not running, or does not serve the CRI v1 API, is
// reported here.
func Connect(ctx context.Context, endpoint string, dial Dialer) (*Client, error) {
	path, err := SocketPath(endpoint)
	if err != nil {
		return nil, err
	}
	c := &Client{conn: newConn(path, dial)}
	if _, err := c.Version(ctx); err != nil {
		c.conn.close()
		// The cause is the call's: "ask for the version" says nothing more.
		var cause *StatusError
		if errors.As(err, &cause) {
			err = cause
		}
		if CodeOf(err) == Unimplemented {
			return nil, fmt.Errorf("the container runtime at %s does not serve the CRI v1 API (is its CRI plugin disabled?): %w", endpoint, err)
		}
		return nil, fmt.Errorf("could not connect to the container runtime at %s: %w", endpoint, err)
	}
	return c, nil
}

// SocketPath is the file system path of a unix:// endpoint.
func SocketPath(endpoint string) (string, error) {
	u, err := url.Parse(endpoint)
	if err != nil || u.Scheme != "unix" || u.Path == "" {
		return "", fmt.Errorf("container runtime endpoint %q is not a unix:// socket URL such as unix:///var/run/containerd/containerd.sock", endpoint)
	}
	return u.Path, nil
}

// Close ends the connection.
func (c *Client) Close() error {
	c.conn.close()
	return nil
}

// call makes one CRI call bounded by timeout and returns its answer, or an
// error that says what failed and why and keeps the status code.
func (c *Client) call(ctx context.Context, timeout time.Duration, what, method string, request []byte) ([]byte, error) {
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	answer, err := c.conn.invoke(cctx, method, request)
	switch {
	case err == nil:
		return answer, nil
	case ctx.Err() != nil:
		return nil, fmt.Errorf("%s: %w", what, ctx.Err())
	case errors.Is(err, context.DeadlineExceeded):
		return nil, fmt.Errorf("%s: %w", what, &StatusError{Code: DeadlineExceeded, Message: fmt.Sprintf("the container runtime did not answer within %s", timeout)})
	}
	return nil, fmt.Errorf("%s: %w", what, err)
}
