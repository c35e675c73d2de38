package pkiutil

import (
	"crypto"
	"crypto/x509"
	"testing"
)

// testKey is a fast key for tests that are not about key types.
func testKey(t testing.TB) crypto.Signer {
	t.Helper()
	k, err := NewPrivateKey(ECDSAP256)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func testCA(t testing.TB) (*x509.Certificate, crypto.Signer) {
	t.Helper()
	k := testKey(t)
	c, err := NewSelfSignedCA(CertConfig{CommonName: "test-ca"}, k)
	if err != nil {
		t.Fatal(err)
	}
	return c, k
}
