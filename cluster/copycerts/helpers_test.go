package copycerts

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"k8s.io/client-go/util/keyutil"
)

const testKey = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

// keyPair returns a PEM private key and, for a CA, a self-signed certificate
// (otherwise the PEM public key) that match.
func keyPair(t *testing.T, ca bool) (public, private []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	private, err = keyutil.MarshalPrivateKeyToPEM(key)
	if err != nil {
		t.Fatal(err)
	}
	if !ca {
		der, err := x509.MarshalPKIXPublicKey(key.Public())
		if err != nil {
			t.Fatal(err)
		}
		return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), private
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test-ca"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), private
}

// pki writes a stacked-etcd certificates directory and returns its files'
// content by Secret entry.
func pki(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	content := map[string][]byte{}
	for _, pair := range [][2]string{{"ca.crt", "ca.key"}, {"front-proxy-ca.crt", "front-proxy-ca.key"}, {"etcd-ca.crt", "etcd-ca.key"}} {
		content[pair[0]], content[pair[1]] = keyPair(t, true)
	}
	content["sa.pub"], content["sa.key"] = keyPair(t, false)
	for _, f := range Files(dir, nil) {
		if err := os.MkdirAll(filepath.Dir(f.Path), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f.Path, content[f.Entry], f.Content.Mode()); err != nil {
			t.Fatal(err)
		}
	}
	return content
}
