package certs

import (
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/kubeconfig"
	"github.com/kadm-project/kadm/pkiutil"
)

// Renewal is one certificate that `certs renew` renews: a leaf of the tree,
// or the client certificate embedded in one of the kubeconfig files the
// cluster CA signs. kubelet.conf is not one: the kubelet rotates its own.
type Renewal struct {
	// Name is the renew subcommand's name: the certificate's ("apiserver")
	// or the kubeconfig file's ("admin.conf").
	Name string
	// LongName completes "Renew the ...", in kubeadm's words.
	LongName string
	// CA is the CA that signs it.
	CA Cert
	// cert is the leaf renewed; zero for a kubeconfig file's.
	cert Cert
}

// kubeconfigRenewals are the kubeconfig files whose client certificate the
// cluster CA signs, with kubeadm's descriptions.
var kubeconfigRenewals = []struct{ file, longName string }{
	{kubeconfig.AdminFile, "certificate embedded in the kubeconfig file for the admin to use and for kubeadm itself"},
	{kubeconfig.SuperAdminFile, "certificate embedded in the kubeconfig file for the super-admin"},
	{kubeconfig.ControllerManagerFile, "certificate embedded in the kubeconfig file for the controller manager to use"},
	{kubeconfig.SchedulerFile, "certificate embedded in the kubeconfig file for the scheduler manager to use"},
}

// Renewals lists what `certs renew all` renews for cluster, sorted by name
// as kubeadm renews them: every leaf of the tree (without etcd's when etcd
// is external) and the four kubeconfig files.
func Renewals(cluster *config.ClusterConfiguration) []Renewal {
	var out []Renewal
	for _, c := range ForCluster(cluster) {
		if ca, ok := c.CA(); ok {
			out = append(out, Renewal{Name: c.Name, LongName: c.LongName, CA: ca, cert: c})
		}
	}
	ca, _ := Lookup("ca")
	for _, k := range kubeconfigRenewals {
		out = append(out, Renewal{Name: k.file, LongName: k.longName, CA: ca})
	}
	slices.SortFunc(out, func(a, b Renewal) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// RenewResult is what Renew did.
type RenewResult int

const (
	// Renewed: a new key and certificate replaced the old ones.
	Renewed RenewResult = iota + 1
	// RenewMissing: there is no certificate to renew.
	RenewMissing
	// RenewExternalCA: the CA's key is not on this node (an external CA),
	// so nothing can be signed here.
	RenewExternalCA
)

// Renew issues r again, whatever its expiration date, as kubeadm does: a new
// private key and a certificate signed by the CA in cluster.CertificatesDir,
// with the subject, SANs and extended key usages of the certificate on disk
// and the validity period (from now) and key algorithm of cluster. A
// kubeconfig file in kubeconfigDir keeps everything but its client
// certificate and key, and trusts the CA's current certificate. The key is
// written before the certificate; an interrupted renewal is completed by
// renewing again. keys may be nil.
func Renew(ctx context.Context, cluster *config.ClusterConfiguration, kubeconfigDir string, r Renewal, keys *pkiutil.KeyPool) (RenewResult, error) {
	dir := cluster.CertificatesDir
	old, err := r.read(dir, kubeconfigDir)
	if errors.Is(err, fs.ErrNotExist) {
		return RenewMissing, nil
	}
	if err != nil {
		return 0, fmt.Errorf("renew the %s: %w", r.LongName, err)
	}
	now := time.Now()
	ca, caKey, err := checkCA(dir, r.CA, now)
	if err != nil {
		return 0, fmt.Errorf("renew the %s: %w", r.LongName, err)
	}
	if caKey == nil {
		return RenewExternalCA, nil
	}
	cfg := pkiutil.CertConfig{
		CommonName:          old.Subject.CommonName,
		Organization:        old.Subject.Organization,
		AltNames:            pkiutil.AltNames{DNSNames: old.DNSNames, IPs: old.IPAddresses},
		Usages:              old.ExtKeyUsage,
		Validity:            duration(cluster.CertificateValidityPeriod),
		EncryptionAlgorithm: cluster.EncryptionAlgorithm,
	}
	key, err := keys.Get(ctx, cfg.EncryptionAlgorithm)
	if err != nil {
		return 0, fmt.Errorf("renew the %s: generate its key: %w", r.LongName, err)
	}
	cert, err := pkiutil.NewSignedCert(cfg, key, ca, caKey)
	if err != nil {
		return 0, fmt.Errorf("renew the %s: %w", r.LongName, err)
	}
	if err := r.write(dir, kubeconfigDir, ca, cert, key); err != nil {
		return 0, fmt.Errorf("renew the %s: %w", r.LongName, err)
	}
	return Renewed, nil
}

// Path is the file that holds r's certificate.
func (r Renewal) Path(certDir, kubeconfigDir string) string {
	if r.cert.Name == "" {
		return filepath.Join(kubeconfigDir, r.Name)
	}
	return certFile(certDir, r.cert)
}

// read loads the certificate being renewed; an fs.ErrNotExist error when
// its file does not exist.
func (r Renewal) read(certDir, kubeconfigDir string) (*x509.Certificate, error) {
	if r.cert.Name == "" {
		return kubeconfigClientCert(r.Path(certDir, kubeconfigDir))
	}
	return pkiutil.LoadCert(certDir, r.cert.BaseName)
}

func (r Renewal) write(certDir, kubeconfigDir string, ca, cert *x509.Certificate, key crypto.Signer) error {
	if r.cert.Name != "" {
		return write(certDir, r.cert, cert, key)
	}
	path := r.Path(certDir, kubeconfigDir)
	cfg, err := kubeconfig.Load(path)
	if err != nil {
		return err
	}
	cluster, user, err := kubeconfig.Current(cfg)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	keyPEM, err := pkiutil.EncodePrivateKeyPEM(key)
	if err != nil {
		return err
	}
	cluster.CertificateAuthorityData = pkiutil.EncodeCertPEM(ca)
	user.ClientCertificateData, user.ClientKeyData = pkiutil.EncodeCertPEM(cert), keyPEM
	return kubeconfig.Write(path, cfg)
}
