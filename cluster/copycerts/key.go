package copycerts

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/kadm-project/kadm/config"
)

// NewCertificateKey returns a random AES-256 key, hex-encoded as
// --certificate-key takes it.
func NewCertificateKey() (string, error) {
	b := make([]byte, config.CertificateKeySize)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generate a certificate key: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// decodeKey turns a --certificate-key value into AES key bytes. Its error
// describes the problem without the key.
func decodeKey(key string) ([]byte, error) {
	if err := config.ValidateCertificateKey(key); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformedKey, err)
	}
	b, _ := hex.DecodeString(key)
	return b, nil
}

// errOpen is a failed authentication: a wrong key and altered data look the
// same for a single entry.
var errOpen = errors.New("message authentication failed")

// errShort is data too short to hold a nonce and a tag: never a key problem.
var errShort = errors.New("too short to be encrypted data")

// Encrypt seals data with AES-GCM under key and prepends the random nonce,
// the layout kubeadm reads from kubeadm-certs.
func Encrypt(data, key []byte) ([]byte, error) {
	gcm, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, gcm.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("generate a nonce: %w", err)
	}
	return gcm.Seal(nonce, nonce, data, nil), nil
}

// Decrypt opens what Encrypt (or kubeadm) sealed with key.
func Decrypt(sealed, key []byte) ([]byte, error) {
	gcm, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	if len(sealed) < gcm.NonceSize()+gcm.Overhead() {
		return nil, errShort
	}
	n := gcm.NonceSize()
	out, err := gcm.Open(nil, sealed[:n], sealed[n:], nil)
	if err != nil {
		return nil, errOpen
	}
	return out, nil
}

func newGCM(key []byte) (cipher.AEAD, error) {
	if len(key) != config.CertificateKeySize {
		return nil, fmt.Errorf("%w: an AES-256 key has %d bytes, got %d", ErrMalformedKey, config.CertificateKeySize, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformedKey, err)
	}
	return cipher.NewGCM(block)
}
