package app

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/phases/workflow"
)

const joinFile = `apiVersion: kubeadm.k8s.io/v1beta4
kind: JoinConfiguration
nodeRegistration:
  name: from-file
  criSocket: unix:///run/file.sock
  ignorePreflightErrors: [Swap]
discovery:
  bootstrapToken:
    apiServerEndpoint: 10.0.0.1:6443
    token: abcdef.0123456789abcdef
    caCertHashes: ["sha256:0000000000000000000000000000000000000000000000000000000000000000"]
  tlsBootstrapToken: abcdef.0123456789abcdef
controlPlane:
  localAPIEndpoint:
    advertiseAddress: 10.0.0.5
`

const hash1 = "sha256:1111111111111111111111111111111111111111111111111111111111111111"

// parseJoin runs newJoinData on a join command parsed from args, with
// --config pointing at file when it is not empty.
func parseJoin(t *testing.T, file string, args ...string) (*joinData, string, error) {
	t.Helper()
	if file != "" {
		path := filepath.Join(t.TempDir(), "join.yaml")
		if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
			t.Fatal(err)
		}
		args = append(args, "--config", path)
	}
	opts := newJoinOptions()
	cmd := newJoinCmd(IOStreams{}, opts)
	if err := cmd.ParseFlags(args); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	ctx := workflow.WithReporter(context.Background(), &workflow.TextReporter{Out: &out})
	d, err := newJoinData(ctx, cmd, cmd.Flags().Args(), opts)
	return d, out.String(), err
}

func TestJoinPrecedence(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		file      string
		args      []string
		check     func(*testing.T, *config.JoinConfiguration)
		overrides []string
	}{
		{
			name: "flags alone", args: []string{"10.0.0.9:6443", "--token", "abcdef.0123456789abcdef", "--discovery-token-unsafe-skip-ca-verification", "--node-name", "n1"},
			check: func(t *testing.T, c *config.JoinConfiguration) {
				bt := c.Discovery.BootstrapToken
				if bt.APIServerEndpoint != "10.0.0.9:6443" || bt.Token != "abcdef.0123456789abcdef" || !bt.UnsafeSkipCAVerification {
					t.Errorf("token discovery from flags: %+v", bt)
				}
				if c.Discovery.TLSBootstrapToken != "abcdef.0123456789abcdef" {
					t.Error("--token did not fill the TLS bootstrap token")
				}
				if c.NodeRegistration.Name != "n1" || c.ControlPlane != nil {
					t.Errorf("node %q, control plane %v", c.NodeRegistration.Name, c.ControlPlane)
				}
			},
		},
		{
			name: "file alone keeps its values and gets defaults", file: joinFile,
			check: func(t *testing.T, c *config.JoinConfiguration) {
				if c.NodeRegistration.Name != "from-file" || c.ControlPlane.LocalAPIEndpoint.AdvertiseAddress != "10.0.0.5" {
					t.Errorf("file values lost: %+v", c)
				}
				if c.ControlPlane.LocalAPIEndpoint.BindPort != config.DefaultAPIBindPort || c.CACertPath != config.DefaultCACertPath {
					t.Errorf("defaults not applied: bindPort %d caCertPath %q", c.ControlPlane.LocalAPIEndpoint.BindPort, c.CACertPath)
				}
			},
		},
		{
			name: "flags override the file", file: joinFile,
			args: []string{"--node-name", "from-flag", "--discovery-token-ca-cert-hash", hash1, "--apiserver-bind-port", "7443", "--cri-socket", "unix:///run/flag.sock"},
			check: func(t *testing.T, c *config.JoinConfiguration) {
				if c.NodeRegistration.Name != "from-flag" || c.NodeRegistration.CRISocket != "unix:///run/flag.sock" {
					t.Errorf("nodeRegistration %+v", c.NodeRegistration)
				}
				if !slices.Equal(c.Discovery.BootstrapToken.CACertHashes, []string{hash1}) {
					t.Errorf("caCertHashes %v", c.Discovery.BootstrapToken.CACertHashes)
				}
				if c.ControlPlane.LocalAPIEndpoint.BindPort != 7443 || c.ControlPlane.LocalAPIEndpoint.AdvertiseAddress != "10.0.0.5" {
					t.Errorf("controlPlane %+v", c.ControlPlane)
				}
			},
			overrides: []string{
				"--discovery-token-ca-cert-hash overrides discovery.bootstrapToken.caCertHashes",
				"--node-name overrides nodeRegistration.name",
				"--cri-socket overrides nodeRegistration.criSocket",
			},
		},
		{
			name: "a default-valued flag that was not given does not override", file: joinFile,
			check: func(t *testing.T, c *config.JoinConfiguration) {
				if c.Discovery.BootstrapToken.APIServerEndpoint != "10.0.0.1:6443" {
					t.Errorf("endpoint %q", c.Discovery.BootstrapToken.APIServerEndpoint)
				}
			},
		},
		{
			name: "--token overrides both file tokens, the specific flags win over --token", file: joinFile,
			args: []string{"--token", "ghijkl.0123456789abcdef", "--tls-bootstrap-token", "mnopqr.0123456789abcdef"},
			check: func(t *testing.T, c *config.JoinConfiguration) {
				if c.Discovery.BootstrapToken.Token != "ghijkl.0123456789abcdef" || c.Discovery.TLSBootstrapToken != "mnopqr.0123456789abcdef" {
					t.Errorf("tokens %q %q", c.Discovery.BootstrapToken.Token, c.Discovery.TLSBootstrapToken)
				}
			},
			overrides: []string{
				"--token overrides discovery.bootstrapToken.token",
				"--tls-bootstrap-token overrides discovery.tlsBootstrapToken",
			},
		},
		{
			name: "--control-plane=false turns a control-plane file into a worker join", file: joinFile,
			args: []string{"--control-plane=false"},
			check: func(t *testing.T, c *config.JoinConfiguration) {
				if c.ControlPlane != nil {
					t.Error("controlPlane kept")
				}
			},
			overrides: []string{"--control-plane=false overrides controlPlane"},
		},
		{
			name: "ignore lists merge, lowercased", file: joinFile,
			args: []string{"--ignore-preflight-errors", "FileAvailable--etc-kubernetes-kubelet.conf,swap"},
			check: func(t *testing.T, c *config.JoinConfiguration) {
				want := []string{"swap", "fileavailable--etc-kubernetes-kubelet.conf"}
				if !slices.Equal(c.NodeRegistration.IgnorePreflightErrors, want) {
					t.Errorf("ignores %v, want %v", c.NodeRegistration.IgnorePreflightErrors, want)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, out, err := parseJoin(t, tt.file, tt.args...)
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, d.Cfg())
			for _, o := range tt.overrides {
				if !strings.Contains(out, "[config] "+o+" from ") {
					t.Errorf("override %q not reported in:\n%s", o, out)
				}
			}
			if got := strings.Count(out, "[config] "); got != len(tt.overrides) {
				t.Errorf("%d overrides reported, want %d:\n%s", got, len(tt.overrides), out)
			}
			if strings.Contains(out, "0123456789abcdef") {
				t.Errorf("a token secret was printed:\n%s", out)
			}
		})
	}
}

func TestJoinDataErrors(t *testing.T) {
	t.Parallel()
	fileDiscovery := "apiVersion: kubeadm.k8s.io/v1beta4\nkind: JoinConfiguration\ndiscovery:\n  file:\n    kubeConfigPath: /d.conf\n  tlsBootstrapToken: abcdef.0123456789abcdef\n"
	tests := []struct {
		name string
		file string
		args []string
		want string
	}{
		{"no discovery", "", nil, "no discovery method"},
		{"both discovery flags", "", []string{"--discovery-file", "/d.conf", "--discovery-token", "abcdef.0123456789abcdef"}, "--discovery-file cannot be used with token discovery (--discovery-token)"},
		{"token flag against file discovery", fileDiscovery, []string{"--discovery-token-unsafe-skip-ca-verification"}, "--discovery-token-unsafe-skip-ca-verification selects token discovery but"},
		{"file flag against token discovery", joinFile, []string{"--discovery-file", "/d.conf"}, "--discovery-file selects file discovery but"},
		{"invalid after merging", joinFile, []string{"--discovery-token-ca-cert-hash", "sha1:00"}, `--discovery-token-ca-cert-hash: hash type "sha1" is not supported`},
		{"a field from the file keeps its name", strings.Replace(joinFile, `"sha256:0000000000000000000000000000000000000000000000000000000000000000"`, `"sha1:00"`, 1),
			[]string{"--node-name", "n1"}, `discovery.bootstrapToken.caCertHashes[0]: hash type "sha1"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, _, err := parseJoin(t, tt.file, tt.args...)
			requireUsageError(t, err, tt.want)
		})
	}
}

func TestExitCodes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err  error
		want int
	}{
		{nil, ExitOK},
		{errors.New("cobra parse error"), ExitUsage},
		{&runError{errors.New("disk full")}, ExitFailure},
		{&runError{usagef("bad flag")}, ExitUsage},
		{&runError{&workflow.PhaseError{Phase: "p", Err: context.DeadlineExceeded}}, ExitTimeout},
		{&runError{&workflow.PhaseError{Phase: "p", Err: context.Canceled}}, ExitInterrupted},
		{&runError{workflow.ErrUnknownPhase}, ExitUsage},
	}
	for _, tt := range tests {
		if got := ExitCode(tt.err); got != tt.want {
			t.Errorf("ExitCode(%v) = %d, want %d", tt.err, got, tt.want)
		}
	}
}

// TestJoinPhaseWithoutDiscovery: the phase commands without discovery flags
// need no discovery method; a control-plane phase among them reads the
// cluster with admin.conf, and says which phase makes it when it is missing.
func TestJoinPhaseWithoutDiscovery(t *testing.T) {
	t.Parallel()
	for _, path := range [][]string{{"kubelet-wait-bootstrap"}, {"etcd-join", "--control-plane", "--apiserver-advertise-address", "10.0.0.5"}} {
		t.Run(path[0], func(t *testing.T) {
			t.Parallel()
			opts := newJoinOptions()
			root := &cobra.Command{Use: "kadm"}
			root.AddCommand(newJoinCmd(IOStreams{}, opts))
			cmd, args, err := root.Find(append([]string{"join", "phase"}, path...))
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.ParseFlags(args); err != nil {
				t.Fatal(err)
			}
			d, err := newJoinData(context.Background(), cmd, cmd.Flags().Args(), opts)
			if err != nil {
				t.Fatalf("newJoinData: %v", err)
			}
			if d.cfg.ControlPlane == nil {
				return
			}
			d.kubeconfigDir = t.TempDir()
			_, err = d.TLSBootstrapCfg(context.Background())
			if want := "run 'kadm join phase control-plane-prepare kubeconfig' first"; err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("TLSBootstrapCfg: %v, want an error containing %q", err, want)
			}
		})
	}
}
