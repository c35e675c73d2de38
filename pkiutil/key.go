package pkiutil

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"strings"

	"github.com/kadm-project/kadm/config"
)

// NewPrivateKey makes a key of the configured type. An empty type is
// kubeadm's default, RSA-2048, so that a partly defaulted configuration still
// gets the key every other kubeadm tool expects.
func NewPrivateKey(alg config.EncryptionAlgorithmType) (crypto.Signer, error) {
	switch alg {
	case config.EncryptionAlgorithmECDSAP256:
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case config.EncryptionAlgorithmECDSAP384:
		return ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case config.EncryptionAlgorithmRSA2048, "":
		return rsa.GenerateKey(rand.Reader, 2048)
	case config.EncryptionAlgorithmRSA3072:
		return rsa.GenerateKey(rand.Reader, 3072)
	case config.EncryptionAlgorithmRSA4096:
		return rsa.GenerateKey(rand.Reader, 4096)
	}
	names := make([]string, 0, len(config.EncryptionAlgorithms()))
	for _, a := range config.EncryptionAlgorithms() {
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
