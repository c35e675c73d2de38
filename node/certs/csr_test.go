package certs

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"slices"
	"testing"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/pkiutil"
)

// TestWriteCSR: each leaf gets a new key (0600) and a request (0600) for
// it with the certificate's subject and SANs, and nothing is replaced.
func TestWriteCSR(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cluster := testCluster(config.EncryptionAlgorithmECDSAP256)
	specs, err := Specs(CSRLeaves(), testNode, cluster)
	if err != nil {
		t.Fatal(err)
	}
	if len(specs) != 7 {
		t.Fatalf("%d leaves, want kubeadm's 7", len(specs))
	}
	for _, s := range specs {
		if err := WriteCSR(t.Context(), dir, s, nil); err != nil {
			t.Fatal(err)
		}
		for _, f := range CSRFiles(dir, s) {
			if info, err := os.Stat(f); err != nil || info.Mode().Perm() != 0o600 {
				t.Errorf("%s: %v, %v; want mode 0600", f, info, err)
			}
		}
		data, err := os.ReadFile(pkiutil.CSRPath(dir, s.BaseName))
		if err != nil {
			t.Fatal(err)
		}
		block, _ := pem.Decode(data)
		csr, err := x509.ParseCertificateRequest(block.Bytes)
		if err != nil || block.Type != "CERTIFICATE REQUEST" || csr.CheckSignature() != nil {
			t.Fatalf("%s: %v", s.Name, err)
		}
		key, err := pkiutil.LoadKey(dir, s.BaseName)
		if err != nil || !pkiutil.PublicKeysEqual(key.Public(), csr.PublicKey) {
			t.Errorf("%s: the request is not for the key beside it (%v)", s.Name, err)
		}
		if csr.Subject.CommonName != s.Config.CommonName || !slices.Equal(csr.Subject.Organization, s.Config.Organization) ||
			len(csr.DNSNames)+len(csr.IPAddresses) != len(uniq(s.Config.AltNames)) {
			t.Errorf("%s: request for %v %v %v, want %+v", s.Name, csr.Subject, csr.DNSNames, csr.IPAddresses, s.Config)
		}
	}
	var fe *FileError
	if err := WriteCSR(t.Context(), dir, specs[0], nil); !errors.As(err, &fe) || fe.Path != keyFile(dir, specs[0].Cert) {
		t.Errorf("a second WriteCSR: %v, want a *FileError for the existing key", err)
	}
}
