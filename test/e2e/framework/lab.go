package framework

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// Lab is a family of hosts that share a name prefix, an address range and
// the programs installed on them. Two labs with different names and ranges
// (the e2e suite and the sandbox demo) do not disturb each other.
type Lab struct {
	// Name prefixes every network namespace ("<Name>-<host>") and names the
	// state directory (<os.TempDir()>/<Name>).
	Name string
	// VethPrefix names the root side of each host's veth pair, followed by
	// the host's subnet number; with it, at most 15 characters.
	VethPrefix string
	// SecondOctet selects the address range: host n gets 10.<SecondOctet>.n.2,
	// its gateway (the root side) 10.<SecondOctet>.n.1.
	SecondOctet int
	// StandinBinary is the built test/e2e/kubeletstandin: every host's PID 1,
	// its systemctl and its kubelet.
	StandinBinary string
	// ComponentsDir holds the binaries static Pod images map to (etcd,
	// kube-apiserver, kube-controller-manager, kube-scheduler).
	ComponentsDir string
	// Programs are linked into every host's PATH by name, e.g. "kadm".
	Programs map[string]string
}

// E2ELab is the lab of the e2e suite: namespaces kadm-e2e-*, 10.77.n.0/24.
func E2ELab(standin, components string, programs map[string]string) *Lab {
	return &Lab{Name: "kadm-e2e", VethPrefix: "ke2e", SecondOctet: 77, StandinBinary: standin, ComponentsDir: components, Programs: programs}
}

// DemoLab is the lab of the sandbox demo: namespaces kadm-demo-*,
// 10.78.n.0/24, so the demo survives an e2e run and the other way round.
func DemoLab(standin, components string, programs map[string]string) *Lab {
	return &Lab{Name: "kadm-demo", VethPrefix: "kdemo", SecondOctet: 78, StandinBinary: standin, ComponentsDir: components, Programs: programs}
}

// StateDir holds one directory per host of the lab.
func (l *Lab) StateDir() string { return filepath.Join(os.TempDir(), l.Name) }

func (l *Lab) namespace(host string) string { return l.Name + "-" + host }

var hostNameRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$`)

func validHostName(name string) error {
	if !hostNameRE.MatchString(name) {
		return fmt.Errorf("host name %q: use 1-32 lowercase letters, digits and '-', starting and ending with a letter or digit", name)
	}
	return nil
}

// Namespaces lists the lab's network namespaces present on the machine.
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

// Links lists the root-side veth interfaces of the lab present on the machine.
func (l *Lab) Links(ctx context.Context) ([]string, error) {
	out, err := run(ctx, "ip", "-o", "link", "show")
	if err != nil {
		return nil, err
	}
	re := regexp.MustCompile(`^\d+: (` + regexp.QuoteMeta(l.VethPrefix) + `\d+)[@:]`)
	var names []string
	for _, line := range strings.Split(out, "\n") {
		if m := re.FindStringSubmatch(line); m != nil {
			names = append(names, m[1])
		}
	}
	return names, nil
}

// Sweep removes every host of the lab, including what a crashed run left:
// processes, network namespaces, veth pairs and state directories.
func (l *Lab) Sweep(ctx context.Context) error {
	var errs []error
	namespaces, err := l.Namespaces(ctx)
	errs = append(errs, err)
	for _, ns := range namespaces {
		errs = append(errs, killNamespace(ctx, ns), deleteNamespace(ctx, ns))
	}
	links, err := l.Links(ctx)
	errs = append(errs, err, l.deleteLabRules(ctx))
	for _, link := range links {
		errs = append(errs, deleteLink(ctx, link))
	}
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
