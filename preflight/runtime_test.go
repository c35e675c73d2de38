package preflight

import (
	"context"
	"errors"
	"io/fs"
	"net"
	"testing"
	"testing/fstest"
)

func TestCRI(t *testing.T) {
	t.Parallel()
	root := fstest.MapFS{
		"var/run/containerd/containerd.sock": {Mode: fs.ModeSocket},
		"var/run/crio/crio.sock":             {Mode: fs.ModeSocket},
		"run/not-a-socket":                   {Data: []byte("x")},
	}
	dial := func(_ context.Context, network, address string) (net.Conn, error) {
		if network != "unix" || address != "/var/run/containerd/containerd.sock" {
			return nil, errors.New("connect: connection refused")
		}
		c1, c2 := net.Pipe()
		c2.Close()
		return c1, nil
	}
	runCases(t, []checkCase{
		{name: "running", check: CRI{Socket: "unix:///var/run/containerd/containerd.sock", Root: root, Dial: dial}, wantName: "CRI"},
		{name: "socket without a runtime", check: CRI{Socket: "unix:///var/run/crio/crio.sock", Root: root, Dial: dial}, wantName: "CRI",
			errs: []string{"could not connect to the container runtime at /var/run/crio/crio.sock: connect: connection refused"}},
		{name: "no socket", check: CRI{Socket: "unix:///var/run/cri-dockerd.sock", Root: root, Dial: dial}, wantName: "CRI",
			errs: []string{"/var/run/cri-dockerd.sock does not exist"}},
		{name: "not a socket", check: CRI{Socket: "unix:///run/not-a-socket", Root: root, Dial: dial}, wantName: "CRI",
			errs: []string{"/run/not-a-socket is not a socket"}},
		{name: "not a unix URL", check: CRI{Socket: "tcp://127.0.0.1:1234", Root: root, Dial: dial}, wantName: "CRI",
			errs: []string{`"tcp://127.0.0.1:1234" is not a unix:// socket URL`}},
	})
}
