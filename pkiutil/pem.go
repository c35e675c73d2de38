package pkiutil

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"fmt"

	"k8s.io/client-go/util/keyutil"
)

// EncodeCertPEM returns c as one PEM "CERTIFICATE" block.
func EncodeCertPEM(c *x509.Certificate) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
}

// EncodePrivateKeyPEM returns k in the encodings kubeadm writes (PKCS#1
// "RSA PRIVATE KEY", SEC 1 "EC PRIVATE KEY") so that files stay readable by
// tools that expect kubeadm's layout.
func EncodePrivateKeyPEM(k crypto.Signer) ([]byte, error) {
	b, err := keyutil.MarshalPrivateKeyToPEM(k)
	if err != nil {
		return nil, fmt.Errorf("encode the private key: %w", err)
	}
	return b, nil
}

// EncodePublicKeyPEM returns k as a PKIX "PUBLIC KEY" block, the format the
// API server reads for --service-account-key-file.
func EncodePublicKeyPEM(k crypto.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(k)
	if err != nil {
		return nil, fmt.Errorf("encode the public key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}
