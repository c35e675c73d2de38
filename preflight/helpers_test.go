package preflight

import (
	"context"
	"errors"
	"io/fs"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	system "k8s.io/system-validators/validators"

	"github.com/kadm-project/kadm/node/initsystem"
)

// checkCase is one run of one check: its name, and the warnings and errors
// it must report, each given by a piece of its text, in order.
type checkCase struct {
	name     string
	check    Check
	wantName string
	warnings []string
	errs     []string
}

func runCases(t *testing.T, cases []checkCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := tc.check.Name(); got != tc.wantName {
				t.Errorf("Name() = %q, want %q", got, tc.wantName)
			}
			warnings, errs := tc.check.Check(context.Background())
			matchErrors(t, "warnings", warnings, tc.warnings)
			matchErrors(t, "errors", errs, tc.errs)
		})
	}
}

func matchErrors(t *testing.T, what string, got []error, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s = %q, want %d matching %q", what, got, len(want), want)
		return
	}
	for i, e := range got {
		if !strings.Contains(e.Error(), want[i]) {
			t.Errorf("%s[%d] = %q, want it to contain %q", what, i, e, want[i])
		}
	}
}

// ports is a fake port binder: busy addresses fail, and every bound address
// is recorded.
type ports struct {
	mu    sync.Mutex
	busy  []string
	bound []string
}

type closedListener struct{ net.Listener }

func (closedListener) Close() error { return nil }

func (p *ports) listen(network, address string) (net.Listener, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.bound = append(p.bound, network+" "+address)
	if slices.Contains(p.busy, address) {
		return nil, errors.New("bind: address already in use")
	}
	return closedListener{}, nil
}

// commands is a fake command runner answering from a table.
type commands map[string]struct {
	out string
	err error
}

func (c commands) run(_ context.Context, name string, args ...string) ([]byte, error) {
	line := strings.Join(append([]string{name}, args...), " ")
	r, ok := c[line]
	if !ok {
		return nil, &fs.PathError{Op: "exec", Path: name, Err: fs.ErrNotExist}
	}
	return []byte(r.out), r.err
}

// withSystemd is an init system that answers through systemctl output.
func withSystemd(c commands) func() (initsystem.InitSystem, error) {
	return func() (initsystem.InitSystem, error) { return initsystem.Systemd{Run: c.run}, nil }
}

func noInitSystem() (initsystem.InitSystem, error) { return nil, initsystem.ErrNoInitSystem }

// healthyRoot is a file system on which every file-based check passes.
func healthyRoot() fstest.MapFS {
	return fstest.MapFS{
		"proc/meminfo":                 {Data: []byte("MemTotal:        4030000 kB\nMemFree:          100000 kB\n")},
		"proc/swaps":                   {Data: []byte("Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n")},
		"proc/sys/net/ipv4/ip_forward": {Data: []byte("1\n")},
		"proc/sys/net/ipv6/conf/default/forwarding": {Data: []byte("1\n")},
		"var/run/containerd/containerd.sock":        {Mode: fs.ModeSocket},
		"etc/kubernetes":                            {Mode: fs.ModeDir},
		"etc/etcd/ca.crt":                           {Data: []byte("CA")},
		"etc/etcd/client.crt":                       {Data: []byte("CERT")},
		"etc/etcd/client.key":                       {Data: []byte("KEY")},
	}
}

// fakeValidator is a system validator with a fixed result that records the
// kubelet version it was built for.
type fakeValidator struct {
	warns, errs []error
}

func (fakeValidator) Name() string { return "fake" }

func (v fakeValidator) Validate(system.SysSpec) ([]error, []error) { return v.warns, v.errs }

func validators(seen *string, v ...fakeValidator) func(string, system.Reporter) []system.Validator {
	return func(kubeletVersion string, r system.Reporter) []system.Validator {
		*seen = kubeletVersion
		_ = r.Report("KERNEL_VERSION", "6.1.0", 0)
		out := make([]system.Validator, len(v))
		for i := range v {
			out[i] = v[i]
		}
		return out
	}
}
