package certs

import (
	"context"
	"fmt"

	"github.com/kadm-project/kadm/pkiutil"
)

// CSRLeaves are the certificates `certs generate-csr` makes requests for:
// every leaf of kubeadm's tree, etcd's included whatever the cluster's etcd,
// as kubeadm does, for an external CA to sign.
func CSRLeaves() []Cert {
	var out []Cert
	for _, c := range All() {
		if !c.IsCA() {
			out = append(out, c)
		}
	}
	return out
}

// CSRFiles are the files WriteCSR writes for s in dir: its key and its
// request.
func CSRFiles(dir string, s Spec) []string {
	return []string{keyFile(dir, s.Cert), pkiutil.CSRPath(dir, s.BaseName)}
}

// WriteCSR writes a new key for s and a certificate signing request for it
// in dir, the request carrying the subject and SANs the certificate needs.
// It refuses to replace either file: a key there may be one a CA already
// signed. keys may be nil.
func WriteCSR(ctx context.Context, dir string, s Spec, keys *pkiutil.KeyPool) error {
	for _, f := range CSRFiles(dir, s) {
		if exists(f) {
			return &FileError{Path: f, Reason: "already exists", Fix: "generate-csr writes new keys only: remove it, or write into another directory"}
		}
	}
	key, err := keys.Get(ctx, s.Config.EncryptionAlgorithm)
	if err != nil {
		return fmt.Errorf("generate the %s key: %w", s.Name, err)
	}
	csr, err := pkiutil.NewCSR(s.Config, key)
	if err != nil {
		return err
	}
	if err := pkiutil.WriteKey(dir, s.BaseName, key); err != nil {
		return err
	}
	return pkiutil.WriteCSR(dir, s.BaseName, csr)
}
