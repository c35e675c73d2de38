package pkiutil

import (
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/kadm-project/kadm/internal/atomicfile"
)

// File modes kubeadm gives what it writes: private keys and sa.pub (written
// by the same key writer) are readable by root only, certificates by all.
const (
	CertMode = 0o644
	KeyMode  = 0o600
	// DirMode is kubeadm's mode for the certificate directory and etcd/ in
	// it: the certificates there are public, and a rootless control plane
	// must be able to reach its own files. Every writer of certificates and
	// keys gives their directory this mode, whatever the umask.
	DirMode = 0o755
)

// CertPath is the certificate file of base in dir; base may hold a
// subdirectory, as in "etcd/ca".
func CertPath(dir, base string) string { return filepath.Join(dir, base+".crt") }

// KeyPath is the private key file of base in dir.
func KeyPath(dir, base string) string { return filepath.Join(dir, base+".key") }

// PublicKeyPath is the public key file of base in dir, as sa.pub.
func PublicKeyPath(dir, base string) string { return filepath.Join(dir, base+".pub") }

// WriteCert writes dir/base.crt atomically with mode 0644.
func WriteCert(dir, base string, c *x509.Certificate) error {
	if c == nil {
		return errors.New("write a certificate: it is nil")
	}
	return write(CertPath(dir, base), EncodeCertPEM(c), CertMode)
}

// WriteKey writes dir/base.key atomically with mode 0600.
func WriteKey(dir, base string, k crypto.Signer) error {
	if k == nil {
		return errors.New("write a private key: it is nil")
	}
	b, err := EncodePrivateKeyPEM(k)
	if err != nil {
		return fmt.Errorf("write %s: %w", KeyPath(dir, base), err)
	}
	return write(KeyPath(dir, base), b, KeyMode)
}

// WritePublicKey writes dir/base.pub atomically with mode 0600, as kubeadm
// writes sa.pub.
func WritePublicKey(dir, base string, k crypto.PublicKey) error {
	if k == nil {
		return errors.New("write a public key: it is nil")
	}
	b, err := EncodePublicKeyPEM(k)
	if err != nil {
		return fmt.Errorf("write %s: %w", PublicKeyPath(dir, base), err)
	}
	return write(PublicKeyPath(dir, base), b, KeyMode)
}

func write(path string, data []byte, mode os.FileMode) error {
	if err := atomicfile.Dir(filepath.Dir(path), DirMode); err != nil {
		return fmt.Errorf("the directory for %s: %w", path, err)
	}
	return atomicfile.Write(path, data, mode)
}
