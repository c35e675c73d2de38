package preflight

import (
	"context"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	utilnet "k8s.io/apimachinery/pkg/util/net"

	"github.com/kadm-project/kadm/node/initsystem"
)

// Host is every kind of system access the checks use. RealHost fills it for
// this machine; tests fill only what the checks under test need.
type Host struct {
	// Root is the file system seen from "/". Checks take absolute paths and
	// look them up in Root without the leading slash.
	Root fs.FS
	// Listen binds a port, to find out whether it is free.
	Listen func(network, address string) (net.Listener, error)
	// Dial connects to the container runtime's socket.
	Dial func(ctx context.Context, network, address string) (net.Conn, error)
	// LookPath finds an executable on PATH.
	LookPath func(file string) (string, error)
	// Run runs a command, such as `kubelet --version`.
	Run initsystem.Runner
	// InitSystem finds the host's init system; initsystem.ErrNoInitSystem
	// when there is none.
	InitSystem func() (initsystem.InitSystem, error)
	// UID is the effective user ID.
	UID func() int
	// NumCPU is the number of CPUs this process may use.
	NumCPU func() int
	// LookupHost resolves a host name.
	LookupHost func(ctx context.Context, host string) ([]string, error)
	// Proxy is the proxy for a request, nil for a direct connection.
	Proxy func(*http.Request) (*url.URL, error)
	// Validators run the system verification, see SystemVerification.
	Validators ValidatorSet
}

// RealHost is this machine.
func RealHost() Host {
	var d net.Dialer
	var r net.Resolver
	return Host{
		Root:       os.DirFS("/"),
		Listen:     net.Listen,
		Dial:       d.DialContext,
		LookPath:   exec.LookPath,
		Run:        initsystem.Exec,
		InitSystem: initsystem.Host,
		UID:        os.Geteuid,
		NumCPU:     runtime.NumCPU,
		LookupHost: r.LookupHost,
		// The API server honours NO_PROXY entries that are CIDRs; so do
		// the proxy checks, which predict what it will do.
		Proxy:      utilnet.NewProxierWithNoProxyCIDR(http.ProxyFromEnvironment),
		Validators: systemValidators,
	}
}

// rel turns an absolute path into the name io/fs wants for it in Host.Root.
func rel(path string) string {
	p := strings.TrimPrefix(filepath.ToSlash(filepath.Clean(path)), "/")
	if p == "" {
		return "."
	}
	return p
}

// label is kubeadm's check name for a path: prefix, then the path with every
// "/" turned into "-", e.g. "DirAvailable--var-lib-etcd".
func label(prefix, path string) string {
	return prefix + "-" + strings.ReplaceAll(path, "/", "-")
}
