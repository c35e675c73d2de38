package pkiutil

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/pem"
	"strings"
	"testing"
)

func TestNewPrivateKey(t *testing.T) {
	t.Parallel()
	tests := []struct {
		alg      KeyAlgorithm
		rsaBits  int
		curve    elliptic.Curve
		pemBlock string
	}{
		{alg: ECDSAP256, curve: elliptic.P256(), pemBlock: "EC PRIVATE KEY"},
		{alg: ECDSAP384, curve: elliptic.P384(), pemBlock: "EC PRIVATE KEY"},
		{alg: RSA2048, rsaBits: 2048, pemBlock: "RSA PRIVATE KEY"},
		{alg: RSA3072, rsaBits: 3072, pemBlock: "RSA PRIVATE KEY"},
		{alg: RSA4096, rsaBits: 4096, pemBlock: "RSA PRIVATE KEY"},
		{alg: "", rsaBits: 2048, pemBlock: "RSA PRIVATE KEY"},
	}
	for _, tt := range tests {
		t.Run(string(tt.alg), func(t *testing.T) {
			t.Parallel()
			k, err := NewPrivateKey(tt.alg)
			if err != nil {
				t.Fatal(err)
			}
			switch k := k.(type) {
			case *rsa.PrivateKey:
				if k.N.BitLen() != tt.rsaBits {
					t.Errorf("RSA key of %d bits, want %d", k.N.BitLen(), tt.rsaBits)
				}
			case *ecdsa.PrivateKey:
				if k.Curve != tt.curve {
					t.Errorf("ECDSA curve %s, want %s", k.Curve.Params().Name, tt.curve.Params().Name)
				}
			}
			if tt.rsaBits == 0 {
				if _, ok := k.(*ecdsa.PrivateKey); !ok {
					t.Errorf("key is %T, want ECDSA", k)
				}
			}
			b, err := EncodePrivateKeyPEM(k)
			if err != nil {
				t.Fatal(err)
			}
			if block, _ := pem.Decode(b); block == nil || block.Type != tt.pemBlock {
				t.Errorf("PEM block %v, want type %q", block, tt.pemBlock)
			}
		})
	}
}

func TestNewPrivateKeyUnknown(t *testing.T) {
	t.Parallel()
	_, err := NewPrivateKey("DSA-1024")
	if err == nil || !strings.Contains(err.Error(), `"DSA-1024"`) || !strings.Contains(err.Error(), "ECDSA-P256") {
		t.Fatalf("error %v, want one naming the bad value and the accepted ones", err)
	}
}

func TestPublicKeysEqual(t *testing.T) {
	t.Parallel()
	a := testKey(t)
	b := testKey(t)
	if !PublicKeysEqual(a.Public(), a.Public()) {
		t.Error("a key differs from itself")
	}
	if PublicKeysEqual(a.Public(), b.Public()) {
		t.Error("two new keys are equal")
	}
	if PublicKeysEqual("not a key", a.Public()) {
		t.Error("a string equals a key")
	}
}
