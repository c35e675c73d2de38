package kubeconfig

import (
	"crypto/x509"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/kadm-project/kadm/pkiutil"
)

func TestValidate(t *testing.T) {
	t.Parallel()
	const server = "https://10.0.0.5:6443"
	ca, other := newTestCA(t, "kubernetes"), newTestCA(t, "another-cluster")
	caPEM, otherPEM := pkiutil.EncodeCertPEM(ca.Certs[0]), pkiutil.EncodeCertPEM(other.Certs[0])
	certPEM, keyPEM := clientPEM(t, ca, "kubernetes-admin", x509.ExtKeyUsageClientAuth)
	foreignCert, foreignKey := clientPEM(t, other, "kubernetes-admin", x509.ExtKeyUsageClientAuth)
	serverCert, serverKey := clientPEM(t, ca, "kube-apiserver", x509.ExtKeyUsageServerAuth)
	_, strayKey := clientPEM(t, ca, "kubernetes-admin", x509.ExtKeyUsageClientAuth)
	good := func() *clientcmdapi.Config {
		return WithClientCert(server, "kubernetes", "kubernetes-admin", caPEM, certPEM, keyPEM)
	}
	tests := []struct {
		name   string
		cfg    *clientcmdapi.Config
		want   Want
		is     error // nil: valid
		server bool  // a *ServerMismatchError is expected
	}{
		{name: "valid", cfg: good(), want: Want{Server: server, CAs: ca.Certs}},
		{name: "CA found in a chain", cfg: good(), want: Want{Server: server, CAs: []*x509.Certificate{other.Certs[0], ca.Certs[0]}}},
		{name: "token user needs no certificate", cfg: WithToken(server, "kubernetes", "bootstrap", caPEM, "abcdef.0123456789abcdef"), want: Want{Server: server, CAs: ca.Certs}},
		{name: "wrong CA", cfg: WithClientCert(server, "kubernetes", "kubernetes-admin", otherPEM, foreignCert, foreignKey), want: Want{Server: server, CAs: ca.Certs}, is: ErrWrongCA},
		{name: "no CA", cfg: WithClientCert(server, "kubernetes", "kubernetes-admin", nil, certPEM, keyPEM), want: Want{Server: server, CAs: ca.Certs}, is: ErrWrongCA},
		{name: "CA data is not PEM", cfg: WithClientCert(server, "kubernetes", "kubernetes-admin", []byte("garbage"), certPEM, keyPEM), want: Want{Server: server, CAs: ca.Certs}, is: ErrWrongCA},
		{name: "client certificate from another CA", cfg: WithClientCert(server, "kubernetes", "kubernetes-admin", caPEM, foreignCert, foreignKey), want: Want{Server: server, CAs: ca.Certs}, is: ErrBadClientCert},
		{name: "expired client certificate", cfg: good(), want: Want{Server: server, CAs: ca.Certs, Now: time.Now().Add(2 * time.Hour)}, is: ErrBadClientCert},
		{name: "not yet valid client certificate", cfg: good(), want: Want{Server: server, CAs: ca.Certs, Now: time.Now().Add(-time.Hour)}, is: ErrBadClientCert},
		{name: "server-only certificate", cfg: WithClientCert(server, "kubernetes", "kube-apiserver", caPEM, serverCert, serverKey), want: Want{Server: server, CAs: ca.Certs}, is: ErrBadClientCert},
		{name: "key of another certificate", cfg: WithClientCert(server, "kubernetes", "kubernetes-admin", caPEM, certPEM, strayKey), want: Want{Server: server, CAs: ca.Certs}, is: ErrBadClientCert},
		{name: "other server", cfg: good(), want: Want{Server: "https://lb.example.com:6443", CAs: ca.Certs}, server: true},
		{name: "wrong CA outranks the server", cfg: WithClientCert("https://elsewhere:6443", "kubernetes", "kubernetes-admin", otherPEM, foreignCert, foreignKey), want: Want{Server: server, CAs: ca.Certs}, is: ErrWrongCA},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := Validate(tt.cfg, tt.want)
			var mismatch *ServerMismatchError
			switch {
			case tt.server:
				if !errors.As(err, &mismatch) {
					t.Fatalf("Validate = %v, want a server mismatch", err)
				}
				if mismatch.Got != server || mismatch.Want != tt.want.Server {
					t.Errorf("mismatch got %s want %s, expected got %s want %s", mismatch.Got, mismatch.Want, server, tt.want.Server)
				}
			case tt.is == nil && err != nil:
				t.Fatalf("Validate = %v, want valid", err)
			case tt.is != nil && !errors.Is(err, tt.is):
				t.Fatalf("Validate = %v, want %v", err, tt.is)
			}
		})
	}
}

// A kubelet.conf rewritten after certificate rotation refers to files
// instead of embedding them; relative references are read next to the file.
func TestValidateFileReferences(t *testing.T) {
	t.Parallel()
	const server = "https://10.0.0.5:6443"
	ca := newTestCA(t, "kubernetes")
	certPEM, keyPEM := clientPEM(t, ca, "system:node:cp-1", x509.ExtKeyUsageClientAuth)
	dir := t.TempDir()
	files := map[string][]byte{
		"ca.crt":                     pkiutil.EncodeCertPEM(ca.Certs[0]),
		"kubelet-client-current.pem": append(append([]byte{}, certPEM...), keyPEM...),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cfg := WithClientCert(server, "kubernetes", "system:node:cp-1", nil, nil, nil)
	cfg.Clusters["kubernetes"].CertificateAuthority = "ca.crt"
	user := cfg.AuthInfos["system:node:cp-1"]
	user.ClientCertificate, user.ClientKey = "kubelet-client-current.pem", "kubelet-client-current.pem"
	path := filepath.Join(dir, "kubelet.conf")
	if err := Write(path, cfg); err != nil {
		t.Fatal(err)
	}
	loaded, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := Validate(loaded, Want{Server: server, CAs: ca.Certs}); err != nil {
		t.Errorf("Validate of a file with references = %v, want valid", err)
	}
	if err := Validate(loaded, Want{Server: server, CAs: newTestCA(t, "other").Certs}); !errors.Is(err, ErrWrongCA) {
		t.Errorf("Validate against another CA = %v, want ErrWrongCA", err)
	}
}
