package certs

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/pkiutil"
)

func newKey(t *testing.T) crypto.Signer {
	t.Helper()
	k, err := pkiutil.NewPrivateKey(config.EncryptionAlgorithmECDSAP256)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// forge writes base.crt (and base.key) made from tmpl, signed by the CA
// caBase in dir, or self-signed when caBase is empty: certificates kadm
// would never issue itself.
func forge(t *testing.T, dir, base, caBase string, tmpl *x509.Certificate) {
	t.Helper()
	key := newKey(t)
	parent, signer := tmpl, key
	if caBase != "" {
		var err error
		if parent, signer, err = pkiutil.LoadCertAndKey(dir, caBase); err != nil {
			t.Fatal(err)
		}
	}
	tmpl.SerialNumber = big.NewInt(42)
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, key.Public(), signer)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	if err := pkiutil.WriteCert(dir, base, c); err != nil {
		t.Fatal(err)
	}
	if err := pkiutil.WriteKey(dir, base, key); err != nil {
		t.Fatal(err)
	}
}

func leafTemplate(cn string, usages ...x509.ExtKeyUsage) *x509.Certificate {
	return &x509.Certificate{
		Subject:   pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: usages,
	}
}

// TestCreateRefusesInvalidFiles breaks one file of a complete tree per case
// and checks that Create names the file and the fault and leaves it alone.
func TestCreateRefusesInvalidFiles(t *testing.T) {
	t.Parallel()
	server, client := x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth
	tests := []struct {
		name     string
		cert     string
		breakIt  func(t *testing.T, dir string)
		modify   func(*config.ClusterConfiguration)
		wantFile string
		want     string
	}{
		{
			name: "a SAN is missing", cert: "apiserver",
			modify:   func(c *config.ClusterConfiguration) { c.APIServer.CertSANs = []string{"New.example.com", "10.0.0.99"} },
			wantFile: "apiserver.crt", want: "lacks the subject alternative names new.example.com, 10.0.0.99",
		},
		{
			name: "expired", cert: "apiserver-kubelet-client",
			breakIt: func(t *testing.T, dir string) {
				tmpl := leafTemplate("kube-apiserver-kubelet-client", client)
				tmpl.NotBefore, tmpl.NotAfter = time.Now().Add(-48*time.Hour), time.Now().Add(-24*time.Hour)
				forge(t, dir, "apiserver-kubelet-client", "ca", tmpl)
			},
			wantFile: "apiserver-kubelet-client.crt", want: "expired on",
		},
		{
			name: "key does not match", cert: "front-proxy-client",
			breakIt: func(t *testing.T, dir string) {
				if err := pkiutil.WriteKey(dir, "front-proxy-client", newKey(t)); err != nil {
					t.Fatal(err)
				}
			},
			wantFile: "front-proxy-client.key", want: "is not the private key of",
		},
		{
			name: "signed by another CA", cert: "etcd-server",
			breakIt: func(t *testing.T, dir string) {
				forge(t, dir, "other-ca", "", &x509.Certificate{Subject: pkix.Name{CommonName: "other"}, IsCA: true, BasicConstraintsValid: true,
					KeyUsage: x509.KeyUsageCertSign, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)})
				tmpl := leafTemplate("cp-1", server, client)
				tmpl.DNSNames, tmpl.IPAddresses = []string{"cp-1", "localhost"}, []net.IP{net.ParseIP("10.0.0.5"), net.ParseIP("127.0.0.1"), net.IPv6loopback}
				forge(t, dir, "etcd/server", "other-ca", tmpl)
			},
			wantFile: "etcd/server.crt", want: "is not signed by the etcd-ca CA",
		},
		{
			name: "a usage is missing", cert: "apiserver",
			breakIt: func(t *testing.T, dir string) {
				tmpl := leafTemplate("kube-apiserver", client)
				tmpl.DNSNames = []string{"cp-1", "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local"}
				tmpl.IPAddresses = []net.IP{net.ParseIP("10.96.0.1"), net.ParseIP("10.0.0.5")}
				forge(t, dir, "apiserver", "ca", tmpl)
			},
			wantFile: "apiserver.crt", want: "lacks the server auth extended key usage",
		},
		{
			name: "certificate is not PEM", cert: "apiserver-etcd-client",
			breakIt: func(t *testing.T, dir string) {
				if err := os.WriteFile(pkiutil.CertPath(dir, "apiserver-etcd-client"), []byte("junk"), 0o644); err != nil {
					t.Fatal(err)
				}
			},
			wantFile: "apiserver-etcd-client.crt", want: "cannot be used",
		},
		{
			name: "leaf key is missing", cert: "etcd-healthcheck-client",
			breakIt: func(t *testing.T, dir string) {
				if err := os.Remove(pkiutil.KeyPath(dir, "etcd/healthcheck-client")); err != nil {
					t.Fatal(err)
				}
			},
			wantFile: "etcd/healthcheck-client.key", want: "no such file",
		},
		{
			name: "CA is not a CA", cert: "front-proxy-ca",
			breakIt: func(t *testing.T, dir string) {
				forge(t, dir, "front-proxy-ca", "", leafTemplate("front-proxy-ca", client))
			},
			wantFile: "front-proxy-ca.crt", want: "is not a CA certificate",
		},
		{
			name: "CA expired", cert: "etcd-ca",
			breakIt: func(t *testing.T, dir string) {
				forge(t, dir, "etcd/ca", "", &x509.Certificate{Subject: pkix.Name{CommonName: "etcd-ca"}, IsCA: true, BasicConstraintsValid: true,
					KeyUsage: x509.KeyUsageCertSign, NotBefore: time.Now().Add(-48 * time.Hour), NotAfter: time.Now().Add(-time.Hour)})
			},
			wantFile: "etcd/ca.crt", want: "expired on",
		},
		{
			name: "CA key does not match", cert: "ca",
			breakIt: func(t *testing.T, dir string) {
				if err := pkiutil.WriteKey(dir, "ca", newKey(t)); err != nil {
					t.Fatal(err)
				}
			},
			wantFile: "ca.key", want: "is not the private key of",
		},
		{
			name: "CA key without its certificate", cert: "ca",
			breakIt: func(t *testing.T, dir string) {
				if err := os.Remove(pkiutil.CertPath(dir, "ca")); err != nil {
					t.Fatal(err)
				}
			},
			wantFile: "ca.key", want: "exists without its certificate",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			cluster := testCluster(config.EncryptionAlgorithmECDSAP256)
			mustCreateAll(t, dir, testSpecs(t, cluster), cluster.EncryptionAlgorithm)
			if tt.breakIt != nil {
				tt.breakIt(t, dir)
			}
			if tt.modify != nil {
				tt.modify(cluster)
			}
			before := snapshot(t, dir)
			_, err := Create(context.Background(), At(dir), specNamed(t, testSpecs(t, cluster), tt.cert), nil)
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v, want a *FileError", err)
			}
			if want := dir + "/" + tt.wantFile; fe.Path != want {
				t.Errorf("error names %s, want %s", fe.Path, want)
			}
			if !strings.Contains(fe.Reason, tt.want) {
				t.Errorf("reason %q, want it to contain %q", fe.Reason, tt.want)
			}
			if fe.Fix == "" {
				t.Error("the error does not say how to fix it")
			}
			if diff := cmp.Diff(before, snapshot(t, dir)); diff != "" {
				t.Errorf("Create changed files it refused (-before +after):\n%s", diff)
			}
		})
	}
}

// TestCreateAcceptsWildcardAndChain: a user's certificate may cover a
// required name with a wildcard and carry its intermediate CA.
func TestCreateAcceptsWildcardAndChain(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cluster := testCluster(config.EncryptionAlgorithmECDSAP256)
	cluster.ControlPlaneEndpoint = "lb.example.com"
	mustCreateAll(t, dir, testSpecs(t, cluster), cluster.EncryptionAlgorithm)

	forge(t, dir, "intermediate", "ca", &x509.Certificate{Subject: pkix.Name{CommonName: "intermediate"}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)})
	tmpl := leafTemplate("kube-apiserver", x509.ExtKeyUsageServerAuth)
	tmpl.DNSNames = []string{"cp-1", "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local", "*.example.com"}
	tmpl.IPAddresses = []net.IP{net.ParseIP("10.96.0.1"), net.ParseIP("10.0.0.5")}
	forge(t, dir, "apiserver", "intermediate", tmpl)
	leaf, err := os.ReadFile(pkiutil.CertPath(dir, "apiserver"))
	if err != nil {
		t.Fatal(err)
	}
	inter, err := os.ReadFile(pkiutil.CertPath(dir, "intermediate"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pkiutil.CertPath(dir, "apiserver"), append(leaf, inter...), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := Create(context.Background(), At(dir), specNamed(t, testSpecs(t, cluster), "apiserver"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Action != Reused {
		t.Errorf("action %v, want Reused", res.Action)
	}
}
