package kubeconfig

import (
	"context"
	"crypto/x509"
	"fmt"
	"os"
	"path/filepath"

	"github.com/kadm-project/kadm/pkiutil"
)

// CSRFiles are the files WriteCSR writes for f in dir; the key's name is
// checked too, as kubeadm does, though no key file is written.
func (f ClientFile) CSRFiles(dir string) []string {
	return []string{filepath.Join(dir, f.Name), pkiutil.CSRPath(dir, f.Name), pkiutil.KeyPath(dir, f.Name)}
}

// WriteCSR writes, for an external CA to sign, f's kubeconfig with a new
// client key embedded but neither a client certificate nor the CA (the
// signed certificate is to be added as client-certificate-data), and a
// certificate signing request for the key beside it (f.Name + ".csr"). It
// replaces nothing. keys may be nil.
func (f ClientFile) WriteCSR(ctx context.Context, dir string, keys *pkiutil.KeyPool) error {
	files := f.CSRFiles(dir)
	for _, p := range files {
		if _, err := os.Stat(p); err == nil {
			return fmt.Errorf("%s already exists: generate-csr writes new keys only; remove it, or write into another directory", p)
		}
	}
	key, err := keys.Get(ctx, f.Algorithm)
	if err != nil {
		return fmt.Errorf("generate the %s key for %s: %w", f.Algorithm, f.Name, err)
	}
	csr, err := pkiutil.NewCSR(pkiutil.CertConfig{CommonName: f.User, Organization: f.Groups, Usages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}, key)
	if err != nil {
		return err
	}
	keyPEM, err := pkiutil.EncodePrivateKeyPEM(key)
	if err != nil {
		return err
	}
	if err := Write(files[0], WithClientCert(f.Server, f.ClusterName, f.User, nil, nil, keyPEM)); err != nil {
		return err
	}
	return pkiutil.WriteCSR(dir, f.Name, csr)
}
