package pkiutil

import (
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"math"
	"math/big"
	"net"
	"slices"
	"time"
)

// AltNames are the subject alternative names a certificate is valid for.
type AltNames struct {
	DNSNames []string
	IPs      []net.IP
}

// CertConfig describes a certificate to issue.
type CertConfig struct {
	CommonName   string
	Organization []string
	AltNames     AltNames
	Usages       []x509.ExtKeyUsage
	// Validity is counted from the moment of issue; NotBefore is set a few
	// minutes earlier (clockSkew). Zero means kubeadm's default: one year for
	// a leaf, ten for a CA.
	Validity time.Duration
	// EncryptionAlgorithm is the type of the certificate's own key.
	EncryptionAlgorithm KeyAlgorithm
}

// kubeadm's validity periods: one year for a leaf certificate, ten for a CA.
const (
	DefaultCertValidity = 365 * 24 * time.Hour
	DefaultCAValidity   = 10 * 365 * 24 * time.Hour
)

// clockSkew backdates NotBefore, as kubeadm does, so that a certificate is
// already valid on a node whose clock is a little behind this one.
const clockSkew = 5 * time.Minute

// NewSelfSignedCA issues a CA certificate for key, signed by key. Like
// kubeadm's, it carries its common name as a DNS name.
func NewSelfSignedCA(cfg CertConfig, key crypto.Signer) (*x509.Certificate, error) {
	if cfg.CommonName == "" {
		return nil, errors.New("issue a CA certificate: the common name is empty")
	}
	tmpl, err := template(cfg, DefaultCAValidity)
	if err != nil {
		return nil, err
	}
	tmpl.IsCA = true
	tmpl.KeyUsage |= x509.KeyUsageCertSign
	tmpl.DNSNames = []string{cfg.CommonName}
	tmpl.IPAddresses = nil
	return create(tmpl, tmpl, key.Public(), key)
}

// NewSignedCert issues a leaf certificate for key, signed by the CA.
func NewSignedCert(cfg CertConfig, key crypto.Signer, ca *x509.Certificate, caKey crypto.Signer) (*x509.Certificate, error) {
	if cfg.CommonName == "" {
		return nil, errors.New("issue a certificate: the common name is empty")
	}
	if len(cfg.Usages) == 0 {
		return nil, fmt.Errorf("issue the %q certificate: no extended key usage given", cfg.CommonName)
	}
	if ca == nil || caKey == nil {
		return nil, fmt.Errorf("issue the %q certificate: no CA to sign it", cfg.CommonName)
	}
	if !PublicKeysEqual(ca.PublicKey, caKey.Public()) {
		return nil, fmt.Errorf("issue the %q certificate: the CA key does not belong to the CA certificate %q", cfg.CommonName, ca.Subject.CommonName)
	}
	tmpl, err := template(cfg, DefaultCertValidity)
	if err != nil {
		return nil, err
	}
	return create(tmpl, ca, key.Public(), caKey)
}

// template holds what CAs and leaves share. DNS names come out sorted and
// unique, IPs unique in their given order: kubeadm's order, which shows in
// its "serving cert is signed for" message.
func template(cfg CertConfig, defaultValidity time.Duration) (*x509.Certificate, error) {
	// A uniform serial in [1, MaxInt64), as kubeadm makes them.
	n, err := rand.Int(rand.Reader, big.NewInt(math.MaxInt64-1))
	if err != nil {
		return nil, fmt.Errorf("draw a serial number: %w", err)
	}
	validity := cfg.Validity
	if validity <= 0 {
		validity = defaultValidity
	}
	now := time.Now().UTC()
	return &x509.Certificate{
		SerialNumber:          n.Add(n, big.NewInt(1)),
		Subject:               pkix.Name{CommonName: cfg.CommonName, Organization: slices.Clone(cfg.Organization)},
		DNSNames:              uniqueSorted(cfg.AltNames.DNSNames),
		IPAddresses:           uniqueIPs(cfg.AltNames.IPs),
		NotBefore:             now.Add(-clockSkew),
		NotAfter:              now.Add(validity),
		KeyUsage:              x509.KeyUsageKeyEncipherment | x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           slices.Clone(cfg.Usages),
		BasicConstraintsValid: true,
	}, nil
}

func create(tmpl, parent *x509.Certificate, pub crypto.PublicKey, signer crypto.Signer) (*x509.Certificate, error) {
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, signer)
	if err != nil {
		return nil, fmt.Errorf("issue the %q certificate: %w", tmpl.Subject.CommonName, err)
	}
	return x509.ParseCertificate(der)
}

func uniqueSorted(names []string) []string {
	if len(names) == 0 {
		return nil
	}
	out := slices.Clone(names)
	slices.Sort(out)
	return slices.Compact(out)
}

func uniqueIPs(ips []net.IP) []net.IP {
	var out []net.IP
	for _, ip := range ips {
		if !slices.ContainsFunc(out, ip.Equal) {
			out = append(out, ip)
		}
	}
	return out
}
