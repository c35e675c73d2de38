package upgradephases

import (
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"time"

	certutil "k8s.io/client-go/util/cert"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/kubeconfig"
	"github.com/kadm-project/kadm/node/certs"
	"github.com/kadm-project/kadm/pkiutil"
)

// LocalRenewer renews with the CA keys on this node, as `certs renew` does: a new key
// and a certificate with the old one's subject, names and usages, valid for the
// cluster's certificateValidityPeriod from now. A certificate whose CA key is absent (an
// external CA) is left alone and reported as not renewed.
type LocalRenewer struct {
	Cluster       *config.ClusterConfiguration
	KubeconfigDir string
}

var _ CertRenewer = LocalRenewer{}

// Renew renews the certificate called name: one of the certificate tree (its phase
// name, "apiserver") or the client certificate of a kubeconfig file ("admin.conf").
func (r LocalRenewer) Renew(_ context.Context, name string) (bool, error) {
	if c, ok := certs.Lookup(name); ok {
		return r.renewCert(c)
	}
	return r.renewKubeconfig(name)
}

func (r LocalRenewer) renewCert(c certs.Cert) (bool, error) {
	dir := r.Cluster.CertificatesDir
	caCert, ok := c.CA()
	if !ok {
		return false, fmt.Errorf("%s is a CA: kadm does not renew CAs", c.Name)
	}
	ca, caKey, err := loadCA(dir, caCert.BaseName)
	if err != nil || caKey == nil {
		return false, err
	}
	old, err := pkiutil.LoadCert(dir, c.BaseName)
	if err != nil {
		return false, fmt.Errorf("read the %s certificate to renew it: %w", c.Name, err)
	}
	cert, key, err := r.reissue(old, ca, caKey)
	if err != nil {
		return false, fmt.Errorf("renew the %s certificate: %w", c.Name, err)
	}
	// The key first: an interrupted renewal leaves a key without its certificate, which
	// the next run renews again, never a certificate whose key is lost.
	if err := pkiutil.WriteKey(dir, c.BaseName, key); err != nil {
		return false, err
	}
	return true, pkiutil.WriteCert(dir, c.BaseName, cert)
}

func (r LocalRenewer) renewKubeconfig(name string) (bool, error) {
	path := filepath.Join(r.KubeconfigDir, name)
	cfg, err := kubeconfig.Load(path)
	if err != nil {
		return false, err
	}
	_, user, err := kubeconfig.Current(cfg)
	if err != nil {
		return false, fmt.Errorf("%s: %w", path, err)
	}
	if user == nil || len(user.ClientCertificateData) == 0 {
		return false, fmt.Errorf("%s has no embedded client certificate to renew", path)
	}
	ca, caKey, err := loadCA(r.Cluster.CertificatesDir, "ca")
	if err != nil || caKey == nil {
		return false, err
	}
	olds, err := certutil.ParseCertsPEM(user.ClientCertificateData)
	if err != nil {
		return false, fmt.Errorf("read the client certificate of %s: %w", path, err)
	}
	old := olds[0]
	cert, key, err := r.reissue(old, ca, caKey)
	if err != nil {
		return false, fmt.Errorf("renew the client certificate of %s: %w", path, err)
	}
	keyPEM, err := pkiutil.EncodePrivateKeyPEM(key)
	if err != nil {
		return false, err
	}
	user.ClientCertificateData, user.ClientKeyData = pkiutil.EncodeCertPEM(cert), keyPEM
	return true, kubeconfig.Write(path, cfg)
}

// reissue signs a new certificate with old's subject, names and usages for a new key.
func (r LocalRenewer) reissue(old, ca *x509.Certificate, caKey crypto.Signer) (*x509.Certificate, crypto.Signer, error) {
	key, err := pkiutil.NewPrivateKey(r.Cluster.EncryptionAlgorithm)
	if err != nil {
		return nil, nil, err
	}
	validity := config.DefaultCertificateValidityPeriod
	if v := r.Cluster.CertificateValidityPeriod; v != nil {
		validity = v.Duration
	}
	// A renewed certificate never outlives its CA.
	if left := time.Until(ca.NotAfter); left < validity {
		validity = left
	}
	cert, err := pkiutil.NewSignedCert(pkiutil.CertConfig{
		CommonName:          old.Subject.CommonName,
		Organization:        old.Subject.Organization,
		AltNames:            pkiutil.AltNames{DNSNames: old.DNSNames, IPs: old.IPAddresses},
		Usages:              old.ExtKeyUsage,
		Validity:            validity,
		EncryptionAlgorithm: r.Cluster.EncryptionAlgorithm,
	}, key, ca, caKey)
	return cert, key, err
}

// loadCA reads a CA; its key is nil without error when it is not on this node.
func loadCA(dir, base string) (*x509.Certificate, crypto.Signer, error) {
	ca, err := pkiutil.LoadCert(dir, base)
	if err != nil {
		return nil, nil, fmt.Errorf("read the CA %s: %w", pkiutil.CertPath(dir, base), err)
	}
	key, err := pkiutil.LoadKey(dir, base)
	if errors.Is(err, fs.ErrNotExist) {
		return ca, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("read the CA key %s: %w", pkiutil.KeyPath(dir, base), err)
	}
	return ca, key, nil
}
