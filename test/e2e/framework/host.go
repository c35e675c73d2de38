package framework

import (
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Host is one simulated machine.
type Host struct {
	// Name is the host name, and so the node name kadm defaults to.
	Name string `json:"name"`
	// Namespace is the host's network namespace.
	Namespace string `json:"namespace"`
	// IP is the host's address; Gateway is the root namespace's address on
	// the same link, which routes between hosts.
	IP      netip.Addr `json:"ip"`
	Gateway netip.Addr `json:"gateway"`
	// Dir holds the host's private directories, seen from the test machine.
	Dir string `json:"dir"`
	// InitPID is the host's PID 1 as the test machine numbers it.
	InitPID int `json:"initPID"`
	// Veth is the root side of the host's veth pair; RulePref and Network
	// identify its policy routing rules.
	Veth     string `json:"veth"`
	RulePref int    `json:"rulePref"`
	Network  string `json:"network"`

	keeper     *exec.Cmd
	keeperDone chan struct{}
}

// privateDirs are the paths each host has its own copy of, and the
// directory under Host.Dir that backs them.
var privateDirs = []struct {
	path string
	dir  string
	mode os.FileMode
}{
	{"/etc/kubernetes", "etc-kubernetes", 0o755},
	{"/var/lib/kubelet", "var-lib-kubelet", 0o755},
	{"/var/lib/etcd", "var-lib-etcd", 0o700},
	{"/run", "run", 0o755},
}

// privateFiles are the files each host has its own copy of: a hosts file
// that resolves its own name, and a resolver configuration that points at
// nothing, so no lookup leaves the host.
var privateFiles = []struct {
	path    string
	file    string
	content func(h *Host) string
}{
	{"/etc/hosts", "etc-hosts", func(h *Host) string {
		return fmt.Sprintf("127.0.0.1\tlocalhost\n::1\tlocalhost\n%s\t%s\n", h.IP, h.Name)
	}},
	{"/etc/resolv.conf", "etc-resolv.conf", func(*Host) string {
		return "# kadm e2e host: no DNS server; names resolve through /etc/hosts\nnameserver 127.0.0.1\noptions timeout:1 attempts:1\n"
	}},
}

// criSocket is where the hosts' stand-in container runtime listens: the
// containerd socket kadm and kubeadm look for first. It accepts connections
// and speaks nothing; the kubelet stand-in runs the containers.
const criSocket = "/run/containerd/containerd.sock"

// standinStateDir is where the kubelet stand-in keeps its pid file, state
// and logs inside a host.
const standinStateDir = "/run/kubelet-standin"

// systemPath follows the host's own bin directory on PATH.
const systemPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// BinDir is the host's own bin directory, first on its PATH: kubelet,
// systemctl and the lab's programs.
func (h *Host) BinDir() string { return filepath.Join(h.Dir, "bin") }

// StandinDir is the kubelet stand-in's state and log directory, seen from
// the test machine.
func (h *Host) StandinDir() string { return h.Path(standinStateDir) }

// Path maps a path inside the host to the same file seen from the test
// machine; paths outside the private directories are shared and unchanged.
func (h *Host) Path(p string) string {
	p = filepath.Clean(p)
	for _, f := range privateFiles {
		if p == f.path {
			return filepath.Join(h.Dir, f.file)
		}
	}
	for _, d := range privateDirs {
		if p == d.path || strings.HasPrefix(p, d.path+"/") {
			return filepath.Join(h.Dir, d.dir, strings.TrimPrefix(p, d.path))
		}
	}
	return p
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// ReadFile reads a file as the host sees it, following symbolic links with
// the host's view of their targets (the kubelet's kubelet-client-current.pem
// links to an absolute path inside the host).
func (h *Host) ReadFile(p string) ([]byte, error) {
	for range 16 {
		target, err := os.Readlink(h.Path(p))
		if err != nil {
			return os.ReadFile(h.Path(p))
		}
		if !filepath.IsAbs(target) {
			target = filepath.Join(filepath.Dir(p), target)
		}
		p = target
	}
	return nil, fmt.Errorf("%s: too many levels of symbolic links", p)
}
