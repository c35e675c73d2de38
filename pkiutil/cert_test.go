package pkiutil

import (
	"crypto/x509"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// within tells whether got is want give or take the time a test takes.
func within(got, want time.Time) bool {
	d := got.Sub(want)
	return d > -time.Minute && d < time.Minute
}

func TestNewSelfSignedCA(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		validity time.Duration
		want     time.Duration
	}{
		{"configured validity", 48 * time.Hour, 48 * time.Hour},
		{"default validity", 0, DefaultCAValidity},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			now := time.Now()
			k := testKey(t)
			c, err := NewSelfSignedCA(CertConfig{CommonName: "etcd-ca", Validity: tt.validity}, k)
			if err != nil {
				t.Fatal(err)
			}
			if !c.IsCA || !c.BasicConstraintsValid {
				t.Error("not a CA certificate")
			}
			if c.KeyUsage&x509.KeyUsageCertSign == 0 {
				t.Error("no cert-sign key usage")
			}
			if diff := cmp.Diff([]string{"etcd-ca"}, c.DNSNames); diff != "" {
				t.Errorf("DNS names (-want +got):\n%s", diff)
			}
			if !within(c.NotBefore, now.Add(-clockSkew)) || !within(c.NotAfter, now.Add(tt.want)) {
				t.Errorf("valid %s to %s, want about %s to %s", c.NotBefore, c.NotAfter, now.Add(-clockSkew), now.Add(tt.want))
			}
			if !PublicKeysEqual(c.PublicKey, k.Public()) {
				t.Error("the certificate is not for the given key")
			}
			if err := c.CheckSignatureFrom(c); err != nil {
				t.Errorf("not self-signed: %v", err)
			}
		})
	}
}

func TestNewSignedCert(t *testing.T) {
	t.Parallel()
	ca, caKey := testCA(t)
	now := time.Now()
	cfg := CertConfig{
		CommonName:   "kube-apiserver",
		Organization: []string{"org"},
		AltNames: AltNames{
			DNSNames: []string{"kubernetes.default", "node-1", "kubernetes", "node-1"},
			IPs:      []net.IP{net.ParseIP("10.96.0.1"), net.ParseIP("10.0.0.5"), net.ParseIP("10.96.0.1").To4()},
		},
		Usages:   []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		Validity: 24 * time.Hour,
	}
	c, err := NewSignedCert(cfg, testKey(t), ca, caKey)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"kubernetes", "kubernetes.default", "node-1"}, c.DNSNames); diff != "" {
		t.Errorf("DNS names are not sorted and unique (-want +got):\n%s", diff)
	}
	var ips []string
	for _, ip := range c.IPAddresses {
		ips = append(ips, ip.String())
	}
	if diff := cmp.Diff([]string{"10.96.0.1", "10.0.0.5"}, ips); diff != "" {
		t.Errorf("IPs are not unique in their order (-want +got):\n%s", diff)
	}
	if c.IsCA || c.KeyUsage&x509.KeyUsageCertSign != 0 {
		t.Error("a leaf may sign certificates")
	}
	if c.Subject.CommonName != "kube-apiserver" || !cmp.Equal(c.Subject.Organization, []string{"org"}) {
		t.Errorf("subject %v", c.Subject)
	}
	if !within(c.NotAfter, now.Add(24*time.Hour)) {
		t.Errorf("NotAfter %s, want about %s", c.NotAfter, now.Add(24*time.Hour))
	}
	roots := x509.NewCertPool()
	roots.AddCert(ca)
	if _, err := c.Verify(x509.VerifyOptions{Roots: roots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}); err != nil {
		t.Errorf("does not verify against its CA: %v", err)
	}
	if _, err := c.Verify(x509.VerifyOptions{Roots: roots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err == nil {
		t.Error("verifies for client auth, which it was not issued for")
	}
}

func TestNewSignedCertDefaultValidity(t *testing.T) {
	t.Parallel()
	ca, caKey := testCA(t)
	now := time.Now()
	c, err := NewSignedCert(CertConfig{CommonName: "x", Usages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}, testKey(t), ca, caKey)
	if err != nil {
		t.Fatal(err)
	}
	if !within(c.NotAfter, now.Add(DefaultCertValidity)) {
		t.Errorf("NotAfter %s, want a year from now", c.NotAfter)
	}
}

func TestNewSignedCertErrors(t *testing.T) {
	t.Parallel()
	ca, caKey := testCA(t)
	client := []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	tests := []struct {
		name       string
		cfg        CertConfig
		otherCAKey bool
		want       string
	}{
		{"no common name", CertConfig{Usages: client}, false, "common name is empty"},
		{"no usage", CertConfig{CommonName: "x"}, false, "no extended key usage"},
		{"CA key of another CA", CertConfig{CommonName: "x", Usages: client}, true, "does not belong"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			signer := caKey
			if tt.otherCAKey {
				signer = testKey(t)
			}
			_, err := NewSignedCert(tt.cfg, testKey(t), ca, signer)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}
