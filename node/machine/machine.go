// Package machine is kadm's one view of the machine it runs on: every file,
// network, process and init-system access the phases and preflight checks
// make goes through a Host, so that tests replace exactly what they need.
package machine

import (
	"context"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"runtime"

	utilnet "k8s.io/apimachinery/pkg/util/net"
	system "k8s.io/system-validators/validators"

	"github.com/kadm-project/kadm/node/cleanup"
	"github.com/kadm-project/kadm/node/cri"
	"github.com/kadm-project/kadm/node/initsystem"
	"github.com/kadm-project/kadm/node/kubelet"
)

// Host is every kind of access kadm has to this machine. Real fills it;
// tests fill only what the code under test needs.
type Host struct {
	// Root is the file system seen from "/". Checks take absolute paths and
	// look them up in Root without the leading slash.
	Root fs.FS
	// Listen binds a port, to find out whether it is free.
	Listen func(network, address string) (net.Listener, error)
	// CRI connects to the container runtime at endpoint, a unix:// URL,
	// and fails when it does not answer.
	CRI func(ctx context.Context, endpoint string) (cri.Runtime, error)
	// LookPath finds an executable on PATH.
	LookPath func(file string) (string, error)
	// Run runs a command, such as `kubelet --version`.
	Run initsystem.Runner
	// InitSystem finds the host's init system; initsystem.ErrNoInitSystem
	// when there is none.
	InitSystem func() (initsystem.InitSystem, error)
	// Hostname is the host's name, lowercased, as a node name.
	Hostname func() (string, error)
	// UID is the effective user ID.
	UID func() int
	// NumCPU is the number of CPUs this process may use.
	NumCPU func() int
	// LookupHost resolves a host name.
	LookupHost func(ctx context.Context, host string) ([]string, error)
	// Proxy is the proxy for a request, nil for a direct connection.
	Proxy func(*http.Request) (*url.URL, error)
	// SystemValidators build the node conformance checks for a kubelet
	// version; each reports what it saw to r.
	SystemValidators func(kubeletVersion string, r system.Reporter) []system.Validator
	// Mounts is the path of the mount table.
	Mounts string
	// Unmount unmounts one mount point.
	Unmount func(path string) error
}

// Real is this machine.
func Real() Host {
	var d net.Dialer
	var r net.Resolver
	return Host{
		Root:   os.DirFS("/"),
		Listen: net.Listen,
		CRI: func(ctx context.Context, endpoint string) (cri.Runtime, error) {
			c, err := cri.Connect(ctx, endpoint, d.DialContext)
			if err != nil {
				return nil, err
			}
			return c, nil
		},
		LookPath:   exec.LookPath,
		Run:        initsystem.Exec,
		InitSystem: initsystem.Host,
		Hostname:   kubelet.Hostname,
		UID:        os.Geteuid,
		NumCPU:     runtime.NumCPU,
		LookupHost: r.LookupHost,
		// The API server honours NO_PROXY entries that are CIDRs; so do
		// the proxy checks, which predict what it will do.
		Proxy:            utilnet.NewProxierWithNoProxyCIDR(http.ProxyFromEnvironment),
		SystemValidators: systemValidators,
		Mounts:           "/proc/mounts",
		Unmount:          cleanup.SysUnmount,
	}
}

// systemValidators are kubeadm's: kernel version and configuration, OS, and
// cgroups, whose requirements depend on the kubelet version.
func systemValidators(kubeletVersion string, r system.Reporter) []system.Validator {
	return []system.Validator{
		&system.KernelValidator{Reporter: r},
		&system.OSValidator{Reporter: r},
		&system.CgroupsValidator{Reporter: r, KubeletVersion: kubeletVersion},
	}
}
