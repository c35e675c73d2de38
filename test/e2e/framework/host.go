package framework

import (
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
)

// Host is one simulated machine.
type Host struct {
	// Name is the host name, and so the node name kadm defaults to.
	Name string `json:"name"`
	// Namespace is the host's network namespace.
	Namespace string `json:"namespace"`
	// IP is the host's address; Gateway is the router's address on the host's
	// link; Pods is the range its Pods take addresses from.
	IP      netip.Addr   `json:"ip"`
	Gateway netip.Addr   `json:"gateway"`
	Pods    netip.Prefix `json:"pods"`
	// Dir holds the host's private directories and overlay layers, seen from
	// the test machine.
	Dir string `json:"dir"`
	// InitPID is the host's PID 1 as the test machine numbers it.
	InitPID int `json:"initPID"`
	// Link is the router's side of the host's link.
	Link string `json:"link"`
	// Cgroup is the host's cgroup (in every hierarchy), the kubelet's cgroupRoot.
	Cgroup string `json:"cgroup"`

	// Kubelet, when set, is the program the host runs as its kubelet instead
	// of the real one, and the host runs no container runtime (see
	// Lab.CreateStandinHost).
	Kubelet string `json:"kubelet,omitempty"`

	keeper     *exec.Cmd
	keeperDone chan struct{}
}

// overlayDirs are the machine's directories each host sees through an overlay
// of its own: whatever the host writes there stays in Host.Dir.
var overlayDirs = []string{"/etc", "/var", "/usr", "/opt", "/root"}

// tmpfsDirs are empty and in memory in each host: containerd's and the shims'
// sockets, the init's control socket.
var tmpfsDirs = []string{"/run"}

// boundDirs are directories of each host that must be real directories rather
// than sit on an overlay (containerd's overlayfs snapshots cannot), bound over
// the overlay from Host.Dir.
var boundDirs = []struct {
	path string
	dir  string
	mode os.FileMode
}{
	{"/etc/kubernetes", "etc-kubernetes", 0o755},
	{"/var/lib/kubelet", "var-lib-kubelet", 0o755},
	{"/var/lib/containerd", "var-lib-containerd", 0o711},
	{"/var/lib/etcd", "var-lib-etcd", 0o700},
}

// kubeletSysctls are the machine-wide sysctls the kubelet sets to these values
// when they differ (its "kernel tunables"). Each host masks them with files
// holding these values, so the kubelet finds nothing to change.
var kubeletSysctls = []struct{ key, value string }{
	{"vm.overcommit_memory", "1"},
	{"vm.panic_on_oom", "0"},
	{"kernel.panic", "10"},
	{"kernel.panic_on_oops", "1"},
	{"kernel.keys.root_maxkeys", "1000000"},
	{"kernel.keys.root_maxbytes", "25000000"},
}

// hostLogDir is where the host's init writes each service's log, inside the host.
const hostLogDir = "/var/log/kadm-e2e"

// systemPath follows the host's own bin directory on PATH.
const systemPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// BinDir is the host's own bin directory, first on its PATH: systemctl, crictl
// and the lab's programs.
func (h *Host) BinDir() string { return filepath.Join(h.Dir, "bin") }

// Path maps a path inside the host to the same file seen from the test machine,
// through its PID 1's root: overlays, tmpfs and bind mounts as the host sees
// them. It is valid while the host runs.
func (h *Host) Path(p string) string {
	return filepath.Join("/proc", strconv.Itoa(h.InitPID), "root", filepath.Clean("/"+p))
}

// LogPath is the log of a service of the host, such as "kubelet", seen from the
// test machine.
func (h *Host) LogPath(service string) string {
	return h.Path(filepath.Join(hostLogDir, service+".log"))
}

// ReadFile reads a file as the host sees it, following symbolic links with the
// host's view of their targets (the kubelet's kubelet-client-current.pem links
// to an absolute path inside the host).
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

// SetKubelet makes the host's /usr/bin/kubelet the program kubelet, a path on
// the test machine, as installing another kubelet package would: the kubelet
// runs it from its next start on.
func (h *Host) SetKubelet(kubelet string) error {
	p := h.Path("/usr/bin/kubelet")
	tmp := p + ".new"
	os.Remove(tmp)
	if err := os.Symlink(kubelet, tmp); err != nil {
		return fmt.Errorf("install kubelet %s on %s: %w", kubelet, h.Name, err)
	}
	if err := os.Rename(tmp, p); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("install kubelet %s on %s: %w", kubelet, h.Name, err)
	}
	return nil
}
