package pkiutil

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
)

// PublicKeyPin is the value of --discovery-token-ca-cert-hash for a CA:
// "sha256:" and the hex SHA-256 of its DER Subject Public Key Info. Pinning
// the key rather than the certificate keeps joins working across a CA
// certificate renewal that keeps the key.
func PublicKeyPin(c *x509.Certificate) string {
	sum := sha256.Sum256(c.RawSubjectPublicKeyInfo)
	return "sha256:" + hex.EncodeToString(sum[:])
}
