package pkiutil

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// pinPrefix names the only hash kubeadm pins CA keys with.
const pinPrefix = "sha256:"

// PublicKeyPin is the value of --discovery-token-ca-cert-hash for a CA:
// "sha256:" and the hex SHA-256 of its DER Subject Public Key Info. Pinning
// the key rather than the certificate keeps joins working across a CA
// certificate renewal that keeps the key.
func PublicKeyPin(c *x509.Certificate) string {
	sum := sha256.Sum256(c.RawSubjectPublicKeyInfo)
	return pinPrefix + hex.EncodeToString(sum[:])
}

// ParsePin checks a CA public key pin as a user writes it ("sha256:" or
// "SHA256:", then 64 hex digits in either case) and returns it in the form
// PublicKeyPin gives, so that the two compare equal.
func ParsePin(s string) (string, error) {
	alg, value, found := strings.Cut(s, ":")
	switch {
	case !found || strings.Contains(value, ":"):
		return "", errors.New("expected sha256:<64 hexadecimal characters>")
	case !strings.EqualFold(alg, "sha256"):
		return "", fmt.Errorf("hash type %q is not supported: use sha256:<64 hexadecimal characters>", alg)
	case len(value) != 2*sha256.Size:
		return "", fmt.Errorf("the value after %q must be 64 hexadecimal characters, got %d", alg+":", len(value))
	}
	raw, err := hex.DecodeString(value)
	if err != nil {
		return "", fmt.Errorf("the value after %q must contain only hexadecimal characters", alg+":")
	}
	return pinPrefix + hex.EncodeToString(raw), nil
}
