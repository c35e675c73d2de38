package framework

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
)

// Lab is a family of hosts that share a name prefix, an address range, a router
// and the programs installed on them. Two labs with different names and ranges
// (the e2e suite and the sandbox demo) do not disturb each other.
type Lab struct {
	// Name prefixes every network namespace ("<Name>-<host>") and cgroup, names
	// the router's network namespace and the state directory
	// (<os.TempDir()>/<Name>).
	Name string
	// LinkPrefix names the machine's link to the router ("<LinkPrefix>0") and
	// the router's link to each host ("<LinkPrefix><n>"); with the number, at
	// most 15 characters.
	LinkPrefix string
	// SecondOctet selects the address range 10.<SecondOctet>.0.0/16: the
	// machine is .0.1, host n is .n.2 behind the router's .n.1, its Pods take
	// .n.128/25.
	SecondOctet int
	// Init is the built test/e2e/hostinit: every host's PID 1 and systemctl.
	Init string
	// BinDir holds the built upstream binaries (hack/build-e2e-bins.sh): the
	// kubelet each host runs, crictl, and what the images are made of.
	BinDir string
	// UnitDir is the repository's packaging/systemd: the kubelet unit and
	// drop-in each host installs.
	UnitDir string
	// Images is the image archive (see BuildImages) each host's containerd
	// holds.
	Images string
	// ContainerdRoot, when set (see PrepareContainerdRoot), is the containerd
	// state every host starts from, with Images imported; otherwise each host
	// imports Images itself.
	ContainerdRoot string
	// Programs are linked into every host's PATH by name, e.g. "kadm".
	Programs map[string]string

	// routerMu makes concurrent CreateHosts create the router once.
	routerMu sync.Mutex
}

// E2ELab is the lab of the e2e suite: kadm-e2e-*, 10.77.0.0/16.
func E2ELab() *Lab { return &Lab{Name: "kadm-e2e", LinkPrefix: "ke2e", SecondOctet: 77} }

// DemoLab is the lab of the sandbox demo: kadm-demo-*, 10.78.0.0/16, so the demo
// survives an e2e run and the other way round.
func DemoLab() *Lab { return &Lab{Name: "kadm-demo", LinkPrefix: "kdemo", SecondOctet: 78} }

// StateDir holds one directory per host of the lab.
func (l *Lab) StateDir() string { return filepath.Join(os.TempDir(), l.Name) }

func (l *Lab) namespace(host string) string { return l.Name + "-" + host }

// cgroupName is the host's cgroup, in every hierarchy: the root of its Pods.
func (l *Lab) cgroupName(host string) string { return l.Name + "-" + host }

var hostNameRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$`)

func validHostName(name string) error {
	if !hostNameRE.MatchString(name) {
		return fmt.Errorf("host name %q: use 1-32 lowercase letters, digits and '-', starting and ending with a letter or digit", name)
	}
	return nil
}

// Namespaces lists the lab's host network namespaces present on the machine.
func (l *Lab) Namespaces(ctx context.Context) ([]string, error) {
	out, err := run(ctx, "ip", "netns", "list")
	if err != nil {
		return nil, err
	}
	var names []string
	for _, line := range strings.Split(out, "\n") {
		fields := strings.Fields(line)
		if len(fields) > 0 && strings.HasPrefix(fields[0], l.Name+"-") {
			names = append(names, fields[0])
		}
	}
	return names, nil
}

// Sweep removes every host of the lab and its router, including what a crashed
// run left: processes, cgroups, network namespaces, links and state
// directories.
func (l *Lab) Sweep(ctx context.Context) error {
	var errs []error
	namespaces, err := l.Namespaces(ctx)
	errs = append(errs, err)
	for _, ns := range namespaces {
		errs = append(errs, killNamespace(ctx, ns), deleteNamespace(ctx, ns))
	}
	groups, err := l.cgroups()
	errs = append(errs, err)
	for _, g := range groups {
		errs = append(errs, removeCgroup(ctx, g))
	}
	errs = append(errs, l.deleteRouter(ctx))
	entries, err := os.ReadDir(l.StateDir())
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		errs = append(errs, err)
	}
	for _, e := range entries {
		errs = append(errs, os.RemoveAll(filepath.Join(l.StateDir(), e.Name())))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("sweep lab %s: %w", l.Name, err)
	}
	return nil
}

// Leftovers lists what of the lab remains on the machine: host or router network
// namespaces, the machine's link to the router, cgroups, mounts of the state
// directory, processes of a host, files in the state directory. After a Sweep,
// or once every host is destroyed, it is empty.
func (l *Lab) Leftovers(ctx context.Context) ([]string, error) {
	var left []string
	namespaces, err := l.Namespaces(ctx)
	if err != nil {
		return nil, err
	}
	for _, ns := range namespaces {
		left = append(left, "network namespace "+ns)
	}
	if _, err := os.Stat(filepath.Join("/run/netns", l.Name)); err == nil {
		left = append(left, "router network namespace "+l.Name)
	}
	if out, _ := run(ctx, "ip", "-o", "link", "show", l.LinkPrefix+"0"); strings.TrimSpace(out) != "" && !strings.Contains(out, "does not exist") {
		left = append(left, "link "+l.LinkPrefix+"0")
	}
	groups, err := l.cgroups()
	if err != nil {
		return nil, err
	}
	for _, g := range groups {
		left = append(left, "cgroup "+g)
	}
	mounts, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return nil, err
	}
	for _, line := range strings.Split(string(mounts), "\n") {
		if strings.Contains(line, l.StateDir()+"/") {
			left = append(left, "mount "+line)
		}
	}
	pids, err := hostProcesses(l.Name)
	if err != nil {
		return nil, err
	}
	for _, p := range pids {
		left = append(left, fmt.Sprintf("process %d (a host's PID 1)", p))
	}
	entries, err := os.ReadDir(l.StateDir())
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	for _, e := range entries {
		left = append(left, "state directory "+filepath.Join(l.StateDir(), e.Name()))
	}
	return left, nil
}
