package certs

import (
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/kadm-project/kadm/pkiutil"
)

// Action is what Create did, for the phase to report.
type Action int

const (
	// Generated means a new key and certificate were written.
	Generated Action = iota + 1
	// SignedExistingKey means a key was on disk without its certificate, as
	// a run interrupted between the two writes leaves it, and a certificate
	// was issued for that key.
	SignedExistingKey
	// Reused means valid files on disk were kept as they are.
	Reused
	// ReusedKeyless means a CA certificate without its key was kept: the CA
	// is external and kadm signs nothing with it.
	ReusedKeyless
	// WouldSign is a dry run's: the certificate (and key, unless one is on
	// the host already) would be issued by a CA whose key is the host's,
	// which a dry run checks but never signs with.
	WouldSign
)

// Result is the outcome of Create.
type Result struct {
	Action Action
	// Certificate is the certificate on disk after Create; nil for the
	// service account key pair and for WouldSign.
	Certificate *x509.Certificate
	// KeyOnDisk is set with WouldSign when the key exists without its
	// certificate.
	KeyOnDisk bool
}

// Create makes the key and certificate of s in t.Dir, taking the key from
// keys. Files already there are reused when valid and otherwise reported,
// never overwritten. A leaf needs its CA's certificate; when the CA's key is
// absent (external CA) the leaf must already be on disk and valid. On a dry
// run (t.Host set) files are looked up in t.Dir and then in t.Host, and a
// leaf of a host CA is only reported (WouldSign).
func Create(ctx context.Context, t Tree, s Spec, keys *pkiutil.KeyPool) (Result, error) {
	if err := t.correctDir(s.Cert); err != nil {
		return Result{}, err
	}
	now := time.Now()
	if s.IsCA() {
		return createCA(ctx, t, s, keys, now)
	}
	return createLeaf(ctx, t, s, keys, now)
}

func createCA(ctx context.Context, t Tree, s Spec, keys *pkiutil.KeyPool, now time.Time) (Result, error) {
	dir, _ := t.locate(s.Cert)
	crt, key := certFile(dir, s.Cert), keyFile(dir, s.Cert)
	if exists(crt) {
		ca, caKey, err := checkCA(dir, s.Cert, now)
		if err != nil {
			return Result{}, err
		}
		if caKey == nil {
			return Result{Action: ReusedKeyless, Certificate: ca}, nil
		}
		return Result{Action: Reused, Certificate: ca}, nil
	}
	if exists(key) {
		return Result{}, &FileError{Path: key, Reason: "exists without its certificate " + crt,
			Fix: "put the CA's certificate next to it, or remove the key to have a new CA generated"}
	}
	k, err := keys.Get(ctx, s.Config.EncryptionAlgorithm)
	if err != nil {
		return Result{}, fmt.Errorf("generate the %s key: %w", s.Name, err)
	}
	c, err := pkiutil.NewSelfSignedCA(s.Config, k)
	if err != nil {
		return Result{}, err
	}
	if err := write(t.Dir, s.Cert, c, k); err != nil {
		return Result{}, err
	}
	return Result{Action: Generated, Certificate: c}, nil
}

func createLeaf(ctx context.Context, t Tree, s Spec, keys *pkiutil.KeyPool, now time.Time) (Result, error) {
	caCert, ok := s.CA()
	if !ok {
		return Result{}, fmt.Errorf("the %s certificate names an unknown CA %q", s.Name, s.CAName)
	}
	caDir, caOnHost := t.locate(caCert)
	if !exists(certFile(caDir, caCert)) {
		return Result{}, fmt.Errorf("the %s certificate needs its CA, but %s is missing: create the CA first (`init phase certs %s`)",
			s.Name, certFile(t.shown(), caCert), caCert.Name)
	}
	ca, caKey, err := checkCA(caDir, caCert, now)
	if err != nil {
		return Result{}, err
	}
	dir, onHost := t.locate(s.Cert)
	crt, key := certFile(dir, s.Cert), keyFile(dir, s.Cert)
	crtOK, keyOK := exists(crt), exists(key)
	if caKey == nil && (!crtOK || !keyOK) {
		return Result{}, &ExternalCAError{CA: certFile(caDir, caCert), Missing: missingLeafFiles(t, caCert)}
	}
	if crtOK {
		c, err := checkLeaf(dir, s, ca, now, caKey == nil)
		if err != nil {
			return Result{}, err
		}
		return Result{Action: Reused, Certificate: c}, nil
	}
	if caOnHost || onHost {
		return Result{Action: WouldSign, KeyOnDisk: keyOK}, nil
	}
	k, action, err := leafKey(ctx, dir, s, keys, keyOK)
	if err != nil {
		return Result{}, err
	}
	c, err := pkiutil.NewSignedCert(s.Config, k, ca, caKey)
	if err != nil {
		return Result{}, err
	}
	if action == SignedExistingKey {
		if err := pkiutil.WriteCert(dir, s.BaseName, c); err != nil {
			return Result{}, err
		}
	} else if err := write(dir, s.Cert, c, k); err != nil {
		return Result{}, err
	}
	return Result{Action: action, Certificate: c}, nil
}

// leafKey is the key on disk when there is one, or a new one.
func leafKey(ctx context.Context, dir string, s Spec, keys *pkiutil.KeyPool, onDisk bool) (crypto.Signer, Action, error) {
	if onDisk {
		k, err := pkiutil.LoadKey(dir, s.BaseName)
		if err != nil {
			return nil, 0, &FileError{Path: keyFile(dir, s.Cert), Reason: "exists without its certificate and cannot be used: " + cause(err),
				Fix: "remove it to have a new key and certificate generated"}
		}
		return k, SignedExistingKey, nil
	}
	k, err := keys.Get(ctx, s.Config.EncryptionAlgorithm)
	if err != nil {
		return nil, 0, fmt.Errorf("generate the %s key: %w", s.Name, err)
	}
	return k, Generated, nil
}

// write stores the key before the certificate: an interrupted run then
// leaves a key alone, which the next run completes, never a certificate
// whose key is lost.
func write(dir string, c Cert, cert *x509.Certificate, key crypto.Signer) error {
	if err := pkiutil.WriteKey(dir, c.BaseName, key); err != nil {
		return err
	}
	return pkiutil.WriteCert(dir, c.BaseName, cert)
}

// missingLeafFiles lists the files of the leaves of ca that are in none of
// t's directories, named as the user must provide them.
func missingLeafFiles(t Tree, ca Cert) []string {
	var missing []string
	for _, leaf := range leaves(ca) {
		dir, onHost := t.locate(leaf)
		shown := dir
		if !onHost {
			shown = t.shown()
		}
		for _, file := range []func(string, Cert) string{certFile, keyFile} {
			if !exists(file(dir, leaf)) {
				missing = append(missing, file(shown, leaf))
			}
		}
	}
	return missing
}

// exists is false only for a file that is certainly absent; any other
// error is left for the load that follows to report.
func exists(path string) bool {
	_, err := os.Stat(path)
	return !errors.Is(err, fs.ErrNotExist)
}
