package kubeconfig

import (
	"bytes"
	"crypto/x509"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/kadm-project/kadm/pkiutil"
)

func TestWriteLoadRoundTrip(t *testing.T) {
	t.Parallel()
	ca := newTestCA(t, "kubernetes")
	caPEM := pkiutil.EncodeCertPEM(ca.Certs[0])
	certPEM, keyPEM := clientPEM(t, ca, "kubernetes-admin", x509.ExtKeyUsageClientAuth)
	tests := []struct {
		name string
		cfg  *clientcmdapi.Config
	}{
		{"client certificate", WithClientCert("https://10.0.0.5:6443", "kubernetes", "kubernetes-admin", caPEM, certPEM, keyPEM)},
		{"token", WithToken("https://lb:6443", "prod", "tls-bootstrap-token-user", caPEM, "abcdef.0123456789abcdef")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// A missing directory is created, as kubeadm creates /etc/kubernetes.
			path := filepath.Join(t.TempDir(), "sub", "test.conf")
			if err := Write(path, tt.cfg); err != nil {
				t.Fatal(err)
			}
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm() != 0o600 {
				t.Errorf("mode %v, want 0600", fi.Mode().Perm())
			}
			got, err := Load(path)
			if err != nil {
				t.Fatal(err)
			}
			if got.CurrentContext != tt.cfg.CurrentContext {
				t.Errorf("current-context %q, want %q", got.CurrentContext, tt.cfg.CurrentContext)
			}
			gotCluster, gotUser, err := Current(got)
			if err != nil {
				t.Fatal(err)
			}
			wantCluster, wantUser, _ := Current(tt.cfg)
			if gotCluster.Server != wantCluster.Server || !bytes.Equal(gotCluster.CertificateAuthorityData, wantCluster.CertificateAuthorityData) {
				t.Errorf("cluster %s changed on the round trip", gotCluster.Server)
			}
			if !bytes.Equal(gotUser.ClientCertificateData, wantUser.ClientCertificateData) ||
				!bytes.Equal(gotUser.ClientKeyData, wantUser.ClientKeyData) || gotUser.Token != wantUser.Token {
				t.Error("user credentials changed on the round trip")
			}
		})
	}
}

func TestWithClientCertNames(t *testing.T) {
	t.Parallel()
	cfg := WithClientCert("https://10.0.0.5:6443", "prod", "system:node:cp-1", nil, nil, nil)
	const wantContext = "system:node:cp-1@prod"
	if cfg.CurrentContext != wantContext {
		t.Errorf("current-context %q, want %q (kubeadm's user@cluster)", cfg.CurrentContext, wantContext)
	}
	if ctx := cfg.Contexts[wantContext]; ctx == nil || ctx.Cluster != "prod" || ctx.AuthInfo != "system:node:cp-1" {
		t.Errorf("context %+v, want cluster prod and user system:node:cp-1", ctx)
	}
}

func TestLoadMissing(t *testing.T) {
	t.Parallel()
	_, err := Load(filepath.Join(t.TempDir(), "absent.conf"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load of a missing file: %v, want fs.ErrNotExist", err)
	}
}

func TestCurrentErrors(t *testing.T) {
	t.Parallel()
	valid := func() *clientcmdapi.Config { return WithToken("https://a:1", "c", "u", nil, "t") }
	tests := []struct {
		name   string
		mutate func(*clientcmdapi.Config)
	}{
		{"no current context", func(c *clientcmdapi.Config) { c.CurrentContext = "" }},
		{"unknown current context", func(c *clientcmdapi.Config) { c.CurrentContext = "other" }},
		{"context names a missing cluster", func(c *clientcmdapi.Config) { delete(c.Clusters, "c") }},
		{"context names a missing user", func(c *clientcmdapi.Config) { delete(c.AuthInfos, "u") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := valid()
			tt.mutate(cfg)
			if _, _, err := Current(cfg); err == nil {
				t.Error("Current accepted a broken kubeconfig")
			}
		})
	}
}
