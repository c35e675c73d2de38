package app

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/phases/workflow"
)

const initFile = `apiVersion: kubeadm.k8s.io/v1beta4
kind: InitConfiguration
bootstrapTokens:
- token: abcdef.0123456789abcdef
  ttl: 1h0m0s
localAPIEndpoint:
  advertiseAddress: 10.0.0.1
nodeRegistration:
  name: cp-1
  criSocket: unix:///run/file.sock
---
apiVersion: kubeadm.k8s.io/v1beta4
kind: ClusterConfiguration
networking:
  podSubnet: 10.244.0.0/16
apiServer:
  certSANs: [file.example]
`

func parseInit(t *testing.T, file string, args ...string) (*initData, string, error) {
	t.Helper()
	if file != "" {
		path := filepath.Join(t.TempDir(), "init.yaml")
		if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
			t.Fatal(err)
		}
		args = append(args, "--config", path)
	}
	opts := newInitOptions("kadm")
	cmd := newInitCmd(IOStreams{}, opts)
	if err := cmd.ParseFlags(args); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	ctx := workflow.WithReporter(context.Background(), &workflow.TextReporter{Out: &out})
	d, err := newInitData(ctx, cmd, opts)
	return d, out.String(), err
}

func TestInitPrecedence(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		file      string
		args      []string
		check     func(*testing.T, *config.InitConfiguration, *config.ClusterConfiguration)
		overrides int
	}{
		{
			name: "defaults without flags or file",
			check: func(t *testing.T, i *config.InitConfiguration, c *config.ClusterConfiguration) {
				if c.KubernetesVersion != config.DefaultKubernetesVersion || c.Networking.ServiceSubnet != config.DefaultServiceSubnet ||
					c.CertificatesDir != config.DefaultCertificatesDir || i.LocalAPIEndpoint.BindPort != config.DefaultAPIBindPort {
					t.Errorf("defaults not applied: %+v %+v", i, c)
				}
				if i.NodeRegistration.Name == "" || i.NodeRegistration.CRISocket == "" {
					t.Errorf("host defaults not applied: %+v", i.NodeRegistration)
				}
			},
		},
		{
			name: "flags alone",
			args: []string{"--pod-network-cidr", "10.244.0.0/16", "--service-cidr", "10.100.0.0/16", "--token", "abcdef.0123456789abcdef",
				"--token-ttl", "2h", "--apiserver-cert-extra-sans", "a.example,10.0.0.7", "--feature-gates", "RootlessControlPlane=true"},
			check: func(t *testing.T, i *config.InitConfiguration, c *config.ClusterConfiguration) {
				if c.Networking.PodSubnet != "10.244.0.0/16" || c.Networking.ServiceSubnet != "10.100.0.0/16" {
					t.Errorf("networking %+v", c.Networking)
				}
				if len(i.BootstrapTokens) != 1 || i.BootstrapTokens[0].Token.Token() != "abcdef.0123456789abcdef" || i.BootstrapTokens[0].TTL.Duration != 2*time.Hour {
					t.Errorf("bootstrap tokens %+v", i.BootstrapTokens)
				}
				if !slices.Equal(c.APIServer.CertSANs, []string{"a.example", "10.0.0.7"}) || !c.FeatureGates["RootlessControlPlane"] {
					t.Errorf("certSANs %v featureGates %v", c.APIServer.CertSANs, c.FeatureGates)
				}
			},
		},
		{
			name: "file alone", file: initFile,
			check: func(t *testing.T, i *config.InitConfiguration, c *config.ClusterConfiguration) {
				if i.NodeRegistration.Name != "cp-1" || i.BootstrapTokens[0].TTL.Duration != time.Hour || c.Networking.PodSubnet != "10.244.0.0/16" {
					t.Errorf("file values lost: %+v %+v", i, c)
				}
			},
		},
		{
			name: "flags override both documents", file: initFile,
			args: []string{"--node-name", "cp-2", "--token-ttl", "3h", "--pod-network-cidr", "10.245.0.0/16", "--apiserver-cert-extra-sans", "flag.example", "--kubernetes-version", "v1.37.2"},
			check: func(t *testing.T, i *config.InitConfiguration, c *config.ClusterConfiguration) {
				if i.NodeRegistration.Name != "cp-2" || i.BootstrapTokens[0].TTL.Duration != 3*time.Hour {
					t.Errorf("init %+v", i)
				}
				if i.BootstrapTokens[0].Token.Token() != "abcdef.0123456789abcdef" {
					t.Error("the file's token was lost when only --token-ttl was given")
				}
				if c.Networking.PodSubnet != "10.245.0.0/16" || !slices.Equal(c.APIServer.CertSANs, []string{"flag.example"}) {
					t.Errorf("cluster %+v", c)
				}
			},
			// --kubernetes-version equals the default and the file has none: it fills, not overrides
			overrides: 4,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, out, err := parseInit(t, tt.file, tt.args...)
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, d.Cfg(), d.ClusterCfg())
			if got := strings.Count(out, "[config] "); got != tt.overrides {
				t.Errorf("%d overrides reported, want %d:\n%s", got, tt.overrides, out)
			}
			if strings.Contains(out, "0123456789abcdef") {
				t.Errorf("a token secret was printed:\n%s", out)
			}
		})
	}
}

func TestInitDataErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"bad token", []string{"--token", "abcdef.SECRETSECRETSECR"}, "--token"},
		{"unknown feature gate", []string{"--feature-gates", "Nope=true"}, `unknown feature gate "Nope"`},
		// A flag's error names the flag, not the field the user never wrote.
		{"bad service CIDR", []string{"--service-cidr", "10.96.0.0"}, `--service-cidr: "10.96.0.0" is not a CIDR`},
		{"bad pod CIDR", []string{"--pod-network-cidr", "10.244.0.0/33"}, `--pod-network-cidr: "10.244.0.0/33" is not a CIDR`},
		{"bad bind port", []string{"--apiserver-bind-port", "70000"}, "--apiserver-bind-port: 70000 is not a port number"},
		{"bad version", []string{"--kubernetes-version", "stable-0"}, `--kubernetes-version: "stable-0" is not a Kubernetes version`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, _, err := parseInit(t, "", tt.args...)
			requireUsageError(t, err, tt.want)
			if strings.Contains(err.Error(), "SECRET") {
				t.Errorf("the error echoes the token secret: %v", err)
			}
		})
	}
}

// requireUsageError ends the test unless err contains want, and checks
// that it exits with the usage code.
func requireUsageError(t *testing.T, err error, want string) {
	t.Helper()
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("error %v, want one containing %q", err, want)
	}
	if ExitCode(err) != ExitUsage {
		t.Errorf("exit code %d, want %d", ExitCode(err), ExitUsage)
	}
}
