package kubeconfig

import (
	"crypto"
	"crypto/x509"
	"fmt"

	"github.com/kadm-project/kadm/pkiutil"
)

// caBaseName is the cluster CA's file name without extension, ca.crt and ca.key.
const caBaseName = "ca"

// CA is the cluster CA as the kubeconfig files see it.
type CA struct {
	// Certs are ca.crt's certificates, the CA first. New files embed and are
	// signed by Certs[0]; existing files may trust any of them.
	Certs []*x509.Certificate
	// Key signs client certificates. It is nil for an external CA, whose
	// key kadm never holds: then files can only be checked.
	Key crypto.Signer
}

// LoadCA reads the cluster CA from certDir. With external set only ca.crt is
// read, with any chain it carries; otherwise ca.crt and ca.key. A missing
// file gives an error that matches fs.ErrNotExist.
func LoadCA(certDir string, external bool) (CA, error) {
	if external {
		cert, chain, err := pkiutil.LoadCertChain(certDir, caBaseName)
		if err != nil {
			return CA{}, fmt.Errorf("load the cluster CA certificate from %s: %w", certDir, err)
		}
		return CA{Certs: append([]*x509.Certificate{cert}, chain...)}, nil
	}
	cert, key, err := pkiutil.LoadCertAndKey(certDir, caBaseName)
	if err != nil {
		return CA{}, fmt.Errorf("load the cluster CA from %s: %w", certDir, err)
	}
	return CA{Certs: []*x509.Certificate{cert}, Key: key}, nil
}
