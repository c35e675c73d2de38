package initphases

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

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/node/machine"
	"github.com/kadm-project/kadm/preflight"
)

// bareHost is a host on which every check fails: an empty file system, and
// every call refused.
func bareHost() machine.Host {
	refused := errors.New("refused")
	return machine.Host{
		Root:             fstest.MapFS{},
		Listen:           func(string, string) (net.Listener, error) { return nil, refused },
		Dial:             func(context.Context, string, string) (net.Conn, error) { return nil, refused },
		LookPath:         func(string) (string, error) { return "", refused },
		Run:              func(context.Context, string, ...string) ([]byte, error) { return nil, refused },
		InitSystem:       noInitSystem,
		UID:              func() int { return 1000 },
		NumCPU:           func() int { return 1 },
		LookupHost:       func(context.Context, string) ([]string, error) { return nil, refused },
		Proxy:            func(*http.Request) (*url.URL, error) { return url.Parse("http://proxy:3128") },
		SystemValidators: func(string, system.Reporter) []system.Validator { return nil },
	}
}

func TestPreflightPhase(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		ignore  []string
		wantOut []string
		notOut  string
		wantErr string
	}{
		{
			name:    "not root stops before the other checks",
			wantOut: []string{"[preflight] Running pre-flight checks\n"},
			notOut:  "NumCPU",
			wantErr: "[ERROR IsPrivilegedUser]: user is not running as root",
		},
		{
			name:   "ignored root error goes on to the init checks",
			ignore: []string{"isprivilegeduser"},
			wantOut: []string{"[preflight] Running pre-flight checks\n\t[WARNING IsPrivilegedUser]: user is not running as root\n",
				"\t[WARNING Hostname]", "\t[WARNING HTTPProxy]"},
			wantErr: "[ERROR NumCPU]: the number of available CPUs 1 is less than the required 2",
		},
		{
			name:    "all ignored passes with warnings",
			ignore:  []string{"all"},
			wantOut: []string{"\t[WARNING NumCPU]: the number of available CPUs 1 is less than the required 2\n", "\t[WARNING CRI]"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := newTestData(t)
			d.ignorePreflight = tt.ignore
			// The checks read the bare host's file system, so the manifest
			// directory is named as on a real host.
			d.manifestDir = config.DefaultManifestsDir
			out, err := printed(func(ctx context.Context) error { return runPreflight(ctx, d, bareHost()) })
			if tt.wantErr == "" && err != nil {
				t.Fatalf("error = %v, want nil", err)
			}
			if tt.wantErr != "" && (!errors.Is(err, preflight.ErrChecksFailed) || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("error = %v, want ErrChecksFailed with %q", err, tt.wantErr)
			}
			for _, w := range tt.wantOut {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			if tt.notOut != "" && (strings.Contains(out, tt.notOut) || strings.Contains(err.Error(), tt.notOut)) {
				t.Errorf("output or error mentions %q:\n%s\n%v", tt.notOut, out, err)
			}
		})
	}
}
