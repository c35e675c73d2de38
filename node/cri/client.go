package cri

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/grpclog"
	"google.golang.org/grpc/status"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
	"k8s.io/klog/v2"
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

// Dialer connects to the runtime's socket; machine.Host.Dial is one.
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

// Client is a connection to a container runtime's CRI socket.
type Client struct {
	endpoint string
	conn     *grpc.ClientConn
	runtime  runtimeapi.RuntimeServiceClient
	images   runtimeapi.ImageServiceClient

	mu sync.Mutex
	// dialErr is why the last attempt to reach the socket failed, which
	// says more than gRPC's "connection error".
	dialErr error
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
	quietGRPC()
	c := &Client{endpoint: endpoint}
	c.conn, err = grpc.NewClient("passthrough:///"+path,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) {
			conn, err := dial(ctx, "unix", path)
			c.mu.Lock()
			c.dialErr = err
			c.mu.Unlock()
			return conn, err
		}),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(maxMsgSize)),
	)
	if err != nil {
		return nil, fmt.Errorf("could not connect to the container runtime at %s: %w", endpoint, err)
	}
	c.runtime = runtimeapi.NewRuntimeServiceClient(c.conn)
	c.images = runtimeapi.NewImageServiceClient(c.conn)
	if _, err := c.Version(ctx); err != nil {
		_ = c.conn.Close()
		// The cause is the call's: "ask for the version" says nothing more.
		var cause *rpcError
		if errors.As(err, &cause) {
			err = cause
		}
		if status.Code(err) == codes.Unimplemented {
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

// Endpoint is the URL the client is connected to.
func (c *Client) Endpoint() string { return c.endpoint }

// Close ends the connection.
func (c *Client) Close() error { return c.conn.Close() }

// call runs one CRI call bounded by timeout and turns its error into one
// that says what failed and why, keeping the gRPC status for callers that
// branch on the code.
func (c *Client) call(ctx context.Context, timeout time.Duration, what string, f func(ctx context.Context) error) error {
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	err := f(cctx)
	if err == nil {
		return nil
	}
	st, ok := status.FromError(err)
	if !ok {
		return fmt.Errorf("%s: %w", what, err)
	}
	switch {
	case st.Code() == codes.Unavailable:
		c.mu.Lock()
		dialErr := c.dialErr
		c.mu.Unlock()
		if dialErr != nil {
			return fmt.Errorf("%s: %w", what, &rpcError{st: st, msg: dialErr.Error()})
		}
	case st.Code() == codes.DeadlineExceeded && ctx.Err() == nil:
		return fmt.Errorf("%s: %w", what, &rpcError{st: st, msg: fmt.Sprintf("the container runtime did not answer within %s", timeout)})
	case errors.Is(ctx.Err(), context.Canceled):
		return fmt.Errorf("%s: %w", what, ctx.Err())
	}
	return fmt.Errorf("%s: %w", what, &rpcError{st: st, msg: st.Message()})
}

// rpcError is a gRPC status error told in words, without gRPC's
// "rpc error: code = ... desc = ..." framing.
type rpcError struct {
	st  *status.Status
	msg string
}

func (e *rpcError) Error() string              { return e.msg }
func (e *rpcError) GRPCStatus() *status.Status { return e.st }

// quietGRPC sends gRPC's own log lines, which go to stderr by default, to
// klog at high verbosity: kadm owns its output. One writer gets warnings and
// errors, so that a line that is both is logged once. It runs before the
// first connection, not at every kadm start.
var quietGRPC = sync.OnceFunc(func() {
	grpclog.SetLoggerV2(grpclog.NewLoggerV2(io.Discard, klogWriter{}, io.Discard))
})

// klogWriter passes gRPC's warnings and errors on as debug lines.
type klogWriter struct{}

func (klogWriter) Write(p []byte) (int, error) {
	klog.V(5).Info(strings.TrimSpace(string(p)))
	return len(p), nil
}
