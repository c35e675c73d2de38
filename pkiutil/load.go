package pkiutil

import (
	"crypto"
	"crypto/x509"
	"fmt"
	"io/fs"
	"os"

	certutil "k8s.io/client-go/util/cert"
	"k8s.io/client-go/util/keyutil"
)

// LoadCert reads the first certificate of dir/base.crt. Errors are
// *fs.PathError: a missing file wraps fs.ErrNotExist, an unparsable one has
// Op "parse".
func LoadCert(dir, base string) (*x509.Certificate, error) {
	c, _, err := LoadCertChain(dir, base)
	return c, err
}

// LoadCertChain reads dir/base.crt as a leaf followed by the intermediates
// that lead to its CA, the form a certificate signed by an intermediate of
// an external CA comes in.
func LoadCertChain(dir, base string) (*x509.Certificate, []*x509.Certificate, error) {
	path := CertPath(dir, base)
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	certs, err := certutil.ParseCertsPEM(b)
	if err != nil {
		return nil, nil, &fs.PathError{Op: "parse", Path: path, Err: err}
	}
	return certs[0], certs[1:], nil
}

// LoadKey reads the RSA or ECDSA private key dir/base.key. Errors never
// contain key material.
func LoadKey(dir, base string) (crypto.Signer, error) {
	path := KeyPath(dir, base)
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	k, err := keyutil.ParsePrivateKeyPEM(b)
	if err != nil {
		return nil, &fs.PathError{Op: "parse", Path: path, Err: err}
	}
	s, err := signer(k)
	if err != nil {
		return nil, &fs.PathError{Op: "parse", Path: path, Err: err}
	}
	return s, nil
}

// LoadPublicKey reads the first public key of dir/base.pub.
func LoadPublicKey(dir, base string) (crypto.PublicKey, error) {
	path := PublicKeyPath(dir, base)
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	keys, err := keyutil.ParsePublicKeysPEM(b)
	if err != nil {
		return nil, &fs.PathError{Op: "parse", Path: path, Err: err}
	}
	return keys[0], nil
}

// LoadCertAndKey reads dir/base.crt and dir/base.key and checks that the key
// is the certificate's, so a caller never signs with a mismatched pair.
func LoadCertAndKey(dir, base string) (*x509.Certificate, crypto.Signer, error) {
	c, err := LoadCert(dir, base)
	if err != nil {
		return nil, nil, err
	}
	k, err := LoadKey(dir, base)
	if err != nil {
		return nil, nil, err
	}
	if !PublicKeysEqual(c.PublicKey, k.Public()) {
		return nil, nil, fmt.Errorf("%s does not hold the private key of %s", KeyPath(dir, base), CertPath(dir, base))
	}
	return c, k, nil
}
