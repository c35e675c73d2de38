package pkiutil

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"strings"
)

// KeyAlgorithm names a key type as kubeadm's encryptionAlgorithm does.
type KeyAlgorithm string

// The key types kubeadm v1.37 accepts.
const (
	ECDSAP256 KeyAlgorithm = "ECDSA-P256"
	ECDSAP384 KeyAlgorithm = "ECDSA-P384"
	RSA2048   KeyAlgorithm = "RSA-2048"
	RSA3072   KeyAlgorithm = "RSA-3072"
	RSA4096   KeyAlgorithm = "RSA-4096"
)

// KeyAlgorithms lists the accepted key types in the order error messages show them.
func KeyAlgorithms() []KeyAlgorithm {
	return []KeyAlgorithm{ECDSAP256, ECDSAP384, RSA2048, RSA3072, RSA4096}
}

// NewPrivateKey makes a key of the configured type. An empty type is
// kubeadm's default, RSA-2048, so that a partly defaulted configuration still
// gets the key every other kubeadm tool expects.
func NewPrivateKey(alg KeyAlgorithm) (crypto.Signer, error) {
	switch alg {
	case ECDSAP256:
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case ECDSAP384:
		return ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case RSA2048, "":
		return rsa.GenerateKey(rand.Reader, 2048)
	case RSA3072:
		return rsa.GenerateKey(rand.Reader, 3072)
	case RSA4096:
		return rsa.GenerateKey(rand.Reader, 4096)
	}
	names := make([]string, 0, len(KeyAlgorithms()))
	for _, a := range KeyAlgorithms() {
		names = append(names, string(a))
	}
	return nil, fmt.Errorf("unknown encryptionAlgorithm %q: set it to one of %s", alg, strings.Join(names, ", "))
}

// PublicKeysEqual tells whether a and b are the same key. Comparing public
// halves is how a certificate is matched with its private key without ever
// handling the private material itself.
func PublicKeysEqual(a, b crypto.PublicKey) bool {
	eq, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && eq.Equal(b)
}

// signer keeps only the key types kubeadm writes and reads: RSA and ECDSA.
// Other types would parse but break the components that load them.
func signer(k any) (crypto.Signer, error) {
	switch k := k.(type) {
	case *rsa.PrivateKey:
		return k, nil
	case *ecdsa.PrivateKey:
		return k, nil
	}
	return nil, fmt.Errorf("the private key is %T, neither RSA nor ECDSA", k)
}
