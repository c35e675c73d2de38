package discovery

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/kadm-project/kadm/config"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// discoveryFile writes a discovery kubeconfig and the files it may refer to into dir.
func discoveryFile(t *testing.T, dir string, cfg *clientcmdapi.Config) string {
	t.Helper()
	data, err := clientcmd.Write(*cfg)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "discovery.conf")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func kubeconfigWith(server string, cluster clientcmdapi.Cluster, auth *clientcmdapi.AuthInfo) *clientcmdapi.Config {
	cfg := clientcmdapi.NewConfig()
	cluster.Server = server
	cfg.Clusters["prod"] = &cluster
	cfg.Contexts["join"] = &clientcmdapi.Context{Cluster: "prod"}
	if auth != nil {
		cfg.AuthInfos["node"] = auth
		cfg.Contexts["join"].AuthInfo = "node"
	}
	cfg.CurrentContext = "join"
	return cfg
}

func TestDiscoverFile(t *testing.T) {
	t.Parallel()
	caPEM, err := os.ReadFile(filepath.Join("testdata", "ca.crt"))
	if err != nil {
		t.Fatal(err)
	}
	const server = "https://10.0.0.1:6443"
	tests := []struct {
		name     string
		cfg      *clientcmdapi.Config
		files    map[string]string // written next to the discovery file
		tlsToken string
		// empty writes a discovery file with nothing in it.
		empty   bool
		golden  string // expected bootstrap kubeconfig, $DIR for the test directory
		wantErr string
	}{
		{
			name:     "without credentials the TLS bootstrap token is used",
			cfg:      kubeconfigWith(server, clientcmdapi.Cluster{CertificateAuthorityData: caPEM}, nil),
			tlsToken: testToken,
			golden:   "file-no-credentials.golden",
		},
		{
			name:    "without credentials or TLS bootstrap token it fails",
			cfg:     kubeconfigWith(server, clientcmdapi.Cluster{CertificateAuthorityData: caPEM}, nil),
			wantErr: "no credentials and no TLS bootstrap token",
		},
		{
			name:   "a token in the file is kept without a TLS bootstrap token",
			cfg:    kubeconfigWith(server, clientcmdapi.Cluster{CertificateAuthorityData: caPEM}, &clientcmdapi.AuthInfo{Token: "node-token"}),
			golden: "file-token.golden",
		},
		{
			name:     "an explicit TLS bootstrap token wins over the file's credentials, as with kubeadm",
			cfg:      kubeconfigWith(server, clientcmdapi.Cluster{CertificateAuthorityData: caPEM}, &clientcmdapi.AuthInfo{Token: "node-token"}),
			tlsToken: testToken,
			golden:   "file-no-credentials.golden",
		},
		{
			name: "an explicit TLS bootstrap token wins over exec credentials, which are not run",
			cfg: kubeconfigWith(server, clientcmdapi.Cluster{CertificateAuthorityData: caPEM},
				&clientcmdapi.AuthInfo{Exec: &clientcmdapi.ExecConfig{Command: "get-token", APIVersion: "client.authentication.k8s.io/v1", InteractiveMode: clientcmdapi.NeverExecInteractiveMode}}),
			tlsToken: testToken,
			golden:   "file-no-credentials.golden",
		},
		{
			name:     "an empty file is refused",
			empty:    true,
			tlsToken: testToken,
			wantErr:  "is empty",
		},
		{
			name: "client certificate files and the CA file are resolved next to the file",
			cfg: kubeconfigWith(server, clientcmdapi.Cluster{CertificateAuthority: "ca.crt"},
				&clientcmdapi.AuthInfo{ClientCertificate: "node.crt", ClientKey: "/abs/node.key"}),
			files:  map[string]string{"ca.crt": string(caPEM)},
			golden: "file-client-cert.golden",
		},
		{
			name: "exec and tokenFile credentials are kept",
			cfg: kubeconfigWith(server, clientcmdapi.Cluster{CertificateAuthorityData: caPEM},
				&clientcmdapi.AuthInfo{TokenFile: "/run/token", Exec: &clientcmdapi.ExecConfig{Command: "get-token", APIVersion: "client.authentication.k8s.io/v1", InteractiveMode: clientcmdapi.NeverExecInteractiveMode}}),
			golden: "file-exec.golden",
		},
		{
			name:    "no cluster is refused",
			cfg:     clientcmdapi.NewConfig(),
			wantErr: "defines no cluster",
		},
		{
			name:     "http server is refused",
			cfg:      kubeconfigWith("http://10.0.0.1:6443", clientcmdapi.Cluster{CertificateAuthorityData: caPEM}, nil),
			tlsToken: testToken,
			wantErr:  "not an https:// URL",
		},
		{
			name:     "missing CA is refused",
			cfg:      kubeconfigWith(server, clientcmdapi.Cluster{}, nil),
			tlsToken: testToken,
			wantErr:  "needs the cluster CA",
		},
		{
			name: "several clusters without a context are refused",
			cfg: &clientcmdapi.Config{Clusters: map[string]*clientcmdapi.Cluster{
				"a": {Server: server, CertificateAuthorityData: caPEM},
				"b": {Server: server, CertificateAuthorityData: caPEM},
			}},
			tlsToken: testToken,
			wantErr:  "2 clusters defined",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			for name, content := range tc.files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			path := filepath.Join(dir, "discovery.conf")
			if tc.empty {
				if err := os.WriteFile(path, nil, 0o600); err != nil {
					t.Fatal(err)
				}
			} else {
				path = discoveryFile(t, dir, tc.cfg)
			}
			var rep reports
			cfg := &config.JoinConfiguration{Discovery: config.Discovery{
				File: &config.FileDiscovery{KubeConfigPath: path}, TLSBootstrapToken: tc.tlsToken,
			}}
			got, err := Discover(rep.ctx(), cfg, Options{})
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				assertNoSecret(t, err.Error())
				return
			}
			if err != nil {
				t.Fatalf("Discover: %v", err)
			}
			assertNoSecret(t, rep.String())
			data, err := clientcmd.Write(*got)
			if err != nil {
				t.Fatal(err)
			}
			assertGolden(t, tc.golden, strings.ReplaceAll(string(data), dir, "$DIR"))
		})
	}
}

// assertGolden compares got with testdata/name, or rewrites it under -update.
func assertGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if d := cmp.Diff(string(want), got); d != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, d)
	}
}
