package joinphases

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"testing/fstest"

	system "k8s.io/system-validators/validators"

	"github.com/kadm-project/kadm/node/cri/crifake"
	"github.com/kadm-project/kadm/node/initsystem"
	"github.com/kadm-project/kadm/node/machine"
	"github.com/kadm-project/kadm/preflight"
)

// bareHost is a machine where nothing is installed and nothing answers.
// present are the absolute paths of the files it has.
func bareHost(uid int, present ...string) machine.Host {
	errNone := errors.New("not on this test host")
	root := fstest.MapFS{}
	for _, p := range present {
		root[strings.TrimPrefix(p, "/")] = &fstest.MapFile{}
	}
	return machine.Host{
		Root:             root,
		Listen:           func(string, string) (net.Listener, error) { return nil, errNone },
		CRI:              crifake.Unreachable,
		LookPath:         func(string) (string, error) { return "", errNone },
		Run:              func(context.Context, string, ...string) ([]byte, error) { return nil, errNone },
		InitSystem:       func() (initsystem.InitSystem, error) { return nil, errNone },
		UID:              func() int { return uid },
		NumCPU:           func() int { return 2 },
		LookupHost:       func(context.Context, string) ([]string, error) { return nil, errNone },
		Proxy:            func(*http.Request) (*url.URL, error) { return nil, nil },
		SystemValidators: func(string, system.Reporter) []system.Validator { return nil },
	}
}

func TestPreflight(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		uid       int
		ignore    []string
		wantErr   string
		wantFetch bool
		wantOut   []string
	}{
		{name: "not root stops before the cluster is asked", uid: 1000, wantErr: "IsPrivilegedUser"},
		{name: "failed checks stop before the cluster is asked", uid: 0, wantErr: "pki/ca.crt already exists"},
		{name: "ignored checks warn, then the configuration is read", uid: 0, ignore: []string{"all"}, wantFetch: true, wantOut: []string{"[WARNING "}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := newFakeData(t, "127.0.0.1:1")
			d.ignore = tt.ignore
			// The CA is present on this host, so FileAvailable for it fails.
			h := bareHost(tt.uid, d.cfg.CACertPath)
			out, err := output(func(ctx context.Context) error { return runPreflight(ctx, d, h) })
			if !strings.HasPrefix(out, "[preflight] Running pre-flight checks\n") {
				t.Errorf("output does not start with kubeadm's line:\n%s", out)
			}
			if tt.wantErr != "" {
				if !errors.Is(err, preflight.ErrChecksFailed) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want preflight.ErrChecksFailed naming %s", err, tt.wantErr)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if fetched := d.initCalls > 0; fetched != tt.wantFetch {
				t.Errorf("cluster configuration read: %v, want %v", fetched, tt.wantFetch)
			}
			for _, w := range tt.wantOut {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}
