package pkiutil

import (
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
)

// CSRPath is the certificate signing request file of base in dir.
func CSRPath(dir, base string) string { return filepath.Join(dir, base+".csr") }

// NewCSR makes a certificate signing request for key with cfg's subject and
// subject alternative names, as kubeadm's external CA mode hands them to the
// CA: the usages and the validity are the signer's to choose.
func NewCSR(cfg CertConfig, key crypto.Signer) (*x509.CertificateRequest, error) {
	if cfg.CommonName == "" {
		return nil, errors.New("make a certificate signing request: the common name is empty")
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject:     pkix.Name{CommonName: cfg.CommonName, Organization: slices.Clone(cfg.Organization)},
		DNSNames:    uniqueSorted(cfg.AltNames.DNSNames),
		IPAddresses: uniqueIPs(cfg.AltNames.IPs),
	}, key)
	if err != nil {
		return nil, fmt.Errorf("make the certificate signing request of %q: %w", cfg.CommonName, err)
	}
	return x509.ParseCertificateRequest(der)
}

// EncodeCSRPEM returns csr as one PEM "CERTIFICATE REQUEST" block.
func EncodeCSRPEM(csr *x509.CertificateRequest) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: csr.Raw})
}

// WriteCSR writes dir/base.csr atomically with mode 0600, as kubeadm does.
func WriteCSR(dir, base string, csr *x509.CertificateRequest) error {
	if csr == nil {
		return errors.New("write a certificate signing request: it is nil")
	}
	return write(CSRPath(dir, base), EncodeCSRPEM(csr), KeyMode)
}
