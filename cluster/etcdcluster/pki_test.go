package etcdcluster

import (
	"crypto"
	"crypto/x509"
	"net"
	"testing"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/pkiutil"
)

// testPKI is the etcd part of a control-plane node's certificate directory:
// the etcd CA, one certificate that etcd serves and talks to its peers with
// (valid for ips), and the API server's etcd client certificate.
func testPKI(t *testing.T, dir string, ips ...net.IP) {
	t.Helper()
	newKey := func() crypto.Signer {
		k, err := pkiutil.NewPrivateKey(config.EncryptionAlgorithmECDSAP256)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	caKey := newKey()
	ca, err := pkiutil.NewSelfSignedCA(pkiutil.CertConfig{CommonName: "etcd-ca"}, caKey)
	if err != nil {
		t.Fatal(err)
	}
	write := func(base string, c *x509.Certificate, k crypto.Signer) {
		if err := pkiutil.WriteCert(dir, base, c); err != nil {
			t.Fatal(err)
		}
		if err := pkiutil.WriteKey(dir, base, k); err != nil {
			t.Fatal(err)
		}
	}
	write("etcd/ca", ca, caKey)
	issue := func(base string, cfg pkiutil.CertConfig) {
		k := newKey()
		c, err := pkiutil.NewSignedCert(cfg, k, ca, caKey)
		if err != nil {
			t.Fatal(err)
		}
		write(base, c, k)
	}
	issue("etcd/server", pkiutil.CertConfig{
		CommonName: "etcd",
		AltNames:   pkiutil.AltNames{DNSNames: []string{"localhost"}, IPs: ips},
		Usages:     []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	})
	issue("apiserver-etcd-client", pkiutil.CertConfig{
		CommonName: "kube-apiserver-etcd-client",
		Usages:     []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	})
}
