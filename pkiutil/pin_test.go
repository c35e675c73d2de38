package pkiutil

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"testing"
)

func TestPublicKeyPin(t *testing.T) {
	t.Parallel()
	// The fixture's pin was computed with openssl, as the kubeadm docs do:
	//   openssl x509 -in pin-fixture.crt -pubkey -noout |
	//     openssl pkey -pubin -outform der | openssl dgst -sha256 -hex
	fixture, err := LoadCert("testdata", "pin-fixture")
	if err != nil {
		t.Fatal(err)
	}
	const opensslPin = "sha256:616eff10fc54b6611de33eeb01eaa2a88eb1b89a4f8c235a58b1a396b597b57c"
	if got := PublicKeyPin(fixture); got != opensslPin {
		t.Errorf("pin of the openssl fixture is %s, want %s", got, opensslPin)
	}

	// A fresh CA: the pin must equal the hash of its public key marshalled
	// again, not merely of the bytes the certificate carries.
	ca, key := testCA(t)
	der, err := x509.MarshalPKIXPublicKey(key.Public())
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(der)
	if got, want := PublicKeyPin(ca), "sha256:"+hex.EncodeToString(sum[:]); got != want {
		t.Errorf("pin %s, want %s", got, want)
	}
}
