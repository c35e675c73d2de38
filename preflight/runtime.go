package preflight

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"time"
)

// dialTimeout bounds the connection attempt to the container runtime.
const dialTimeout = 5 * time.Second

// CRI fails unless the container runtime's socket exists and accepts a
// connection. kadm does not speak the CRI protocol: a runtime that accepts
// connections is taken to be running.
type CRI struct {
	// Socket is the endpoint, e.g. unix:///var/run/containerd/containerd.sock.
	Socket string
	Root   fs.FS
	Dial   func(ctx context.Context, network, address string) (net.Conn, error)
}

func (CRI) Name() string { return "CRI" }

func (c CRI) Check(ctx context.Context) (warnings, errs []error) {
	u, err := url.Parse(c.Socket)
	if err != nil || u.Scheme != "unix" || u.Path == "" {
		return nil, []error{fmt.Errorf("container runtime endpoint %q is not a unix:// socket URL: set it with --cri-socket", c.Socket)}
	}
	fi, err := fs.Stat(c.Root, rel(u.Path))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, []error{fmt.Errorf("could not connect to the container runtime: %s does not exist; "+
			"install and start a container runtime (containerd, CRI-O), or choose its socket with --cri-socket", u.Path)}
	case err != nil:
		return nil, []error{fmt.Errorf("could not connect to the container runtime: %w", err)}
	case fi.Mode().Type() != fs.ModeSocket:
		return nil, []error{fmt.Errorf("could not connect to the container runtime: %s is not a socket", u.Path)}
	}
	ctx, cancel := context.WithTimeout(ctx, dialTimeout)
	defer cancel()
	conn, err := c.Dial(ctx, "unix", u.Path)
	if err != nil {
		return nil, []error{fmt.Errorf("could not connect to the container runtime at %s: %w; is it running?", u.Path, err)}
	}
	_ = conn.Close()
	return nil, nil
}
