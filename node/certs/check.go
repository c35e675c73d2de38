package certs

import (
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"time"

	"github.com/kadm-project/kadm/pkiutil"
)

// checkCA loads the CA c from dir. The key is nil, without error, when only
// the certificate is present: an external CA.
func checkCA(dir string, c Cert, now time.Time) (*x509.Certificate, crypto.Signer, error) {
	crt, key := certFile(dir, c), keyFile(dir, c)
	fix := fmt.Sprintf("kadm does not replace a CA: repair %s and %s, or remove both to have a new CA generated (which invalidates every certificate the old one signed)", crt, key)
	ca, err := pkiutil.LoadCert(dir, c.BaseName)
	if err != nil {
		return nil, nil, &FileError{Path: crt, Reason: "cannot be used: " + cause(err), Fix: fix}
	}
	if !ca.IsCA {
		return nil, nil, &FileError{Path: crt, Reason: "is not a CA certificate", Fix: fix}
	}
	if reason := period(ca, now); reason != "" {
		return nil, nil, &FileError{Path: crt, Reason: reason, Fix: fix}
	}
	k, err := pkiutil.LoadKey(dir, c.BaseName)
	if errors.Is(err, fs.ErrNotExist) {
		return ca, nil, nil
	}
	if err != nil {
		return nil, nil, &FileError{Path: key, Reason: "cannot be used: " + cause(err), Fix: fix}
	}
	if !pkiutil.PublicKeysEqual(ca.PublicKey, k.Public()) {
		return nil, nil, &FileError{Path: key, Reason: "is not the private key of " + crt, Fix: fix}
	}
	return ca, k, nil
}

// checkLeaf verifies the certificate and key of s in dir against the CA:
// they match, the chain verifies for every usage s needs, the certificate
// is within its validity period and names every SAN s requires.
func checkLeaf(dir string, s Spec, ca *x509.Certificate, now time.Time, externalCA bool) (*x509.Certificate, error) {
	crt, key := certFile(dir, s.Cert), keyFile(dir, s.Cert)
	fix := fmt.Sprintf("kadm does not overwrite existing files: remove %s and %s to have them generated again, or replace them with a valid pair", crt, key)
	if externalCA {
		fix = fmt.Sprintf("replace %s and %s with a valid pair signed by the external CA", crt, key)
	}
	c, intermediates, err := pkiutil.LoadCertChain(dir, s.BaseName)
	if err != nil {
		return nil, &FileError{Path: crt, Reason: "cannot be used: " + cause(err), Fix: fix}
	}
	k, err := pkiutil.LoadKey(dir, s.BaseName)
	if err != nil {
		return nil, &FileError{Path: key, Reason: "cannot be used: " + cause(err), Fix: fix}
	}
	if !pkiutil.PublicKeysEqual(c.PublicKey, k.Public()) {
		return nil, &FileError{Path: key, Reason: "is not the private key of " + crt, Fix: fix}
	}
	if reason := period(c, now); reason != "" {
		return nil, &FileError{Path: crt, Reason: reason, Fix: fix}
	}
	for _, u := range s.Config.Usages {
		if !slices.Contains(c.ExtKeyUsage, u) && !slices.Contains(c.ExtKeyUsage, x509.ExtKeyUsageAny) {
			return nil, &FileError{Path: crt, Reason: "lacks the " + usageName(u) + " extended key usage", Fix: fix}
		}
		if err := verify(c, intermediates, ca, u, now); err != nil {
			return nil, &FileError{Path: crt, Reason: fmt.Sprintf("is not signed by the %s CA (%s): %v", s.CAName, certFile(dir, mustCA(s.Cert)), err), Fix: fix}
		}
	}
	if missing := missingSANs(c, s.Config.AltNames); len(missing) > 0 {
		return nil, &FileError{Path: crt, Reason: "lacks the subject alternative names " + strings.Join(missing, ", "), Fix: fix}
	}
	return c, nil
}

func verify(c *x509.Certificate, intermediates []*x509.Certificate, ca *x509.Certificate, usage x509.ExtKeyUsage, now time.Time) error {
	roots, inter := x509.NewCertPool(), x509.NewCertPool()
	roots.AddCert(ca)
	for _, i := range intermediates {
		inter.AddCert(i)
	}
	_, err := c.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, KeyUsages: []x509.ExtKeyUsage{usage}, CurrentTime: now})
	return err
}

// missingSANs lists the names of want that c is not valid for. A wildcard
// in c covers the names it matches, as it does for a TLS client.
func missingSANs(c *x509.Certificate, want pkiutil.AltNames) []string {
	var missing []string
	for _, name := range want.DNSNames {
		if slices.ContainsFunc(c.DNSNames, func(n string) bool { return strings.EqualFold(n, name) }) {
			continue
		}
		if c.VerifyHostname(name) != nil {
			missing = append(missing, name)
		}
	}
	for _, ip := range want.IPs {
		if !slices.ContainsFunc(c.IPAddresses, ip.Equal) {
			missing = append(missing, ip.String())
		}
	}
	return missing
}

func period(c *x509.Certificate, now time.Time) string {
	if now.After(c.NotAfter) {
		return "expired on " + c.NotAfter.UTC().Format(time.RFC3339)
	}
	if now.Before(c.NotBefore) {
		return "is not valid before " + c.NotBefore.UTC().Format(time.RFC3339) + " (check this host's clock)"
	}
	return ""
}

func usageName(u x509.ExtKeyUsage) string {
	switch u {
	case x509.ExtKeyUsageServerAuth:
		return "server auth"
	case x509.ExtKeyUsageClientAuth:
		return "client auth"
	}
	return fmt.Sprintf("%d", u)
}

// cause drops the path a load error repeats, since FileError names it.
func cause(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

func mustCA(c Cert) Cert {
	ca, _ := c.CA()
	return ca
}
