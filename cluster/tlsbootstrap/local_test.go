package tlsbootstrap

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// issue makes a certificate for cn signed by parent (self-signed when nil).
func issue(t *testing.T, cn string, isCA bool, usage []x509.ExtKeyUsage, notAfter time.Time, parent *x509.Certificate, parentKey *ecdsa.PrivateKey) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: notAfter, IsCA: isCA, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: usage,
	}
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return cert, key
}

func pemOf(t *testing.T, cert *x509.Certificate, key *ecdsa.PrivateKey) (certPEM, keyPEM string) {
	t.Helper()
	der, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})),
		string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}))
}

func TestCertificateCheck(t *testing.T) {
	t.Parallel()
	later := time.Now().Add(time.Hour)
	ca, caKey := issue(t, "ca", true, nil, later, nil, nil)
	other, otherKey := issue(t, "other", true, nil, later, nil, nil)
	client := []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	good, goodKey := issue(t, "system:node:w1", false, client, later, ca, caKey)
	expired, expiredKey := issue(t, "system:node:w1", false, client, time.Now().Add(-time.Minute), ca, caKey)
	foreign, foreignKey := issue(t, "system:node:w1", false, client, later, other, otherKey)
	server, serverKey := issue(t, "system:node:w1", false, []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, later, ca, caKey)
	caPEM, _ := pemOf(t, ca, caKey)
	_, wrongKeyPEM := pemOf(t, foreign, foreignKey)

	tests := []struct {
		name      string
		cert, key string
		wantErr   string
	}{
		{"issued by the cluster CA", "", "", ""},
		{"expired", "expired", "", "expired"},
		{"signed by another CA", "foreign", "", "unknown authority"},
		{"server certificate", "server", "", "incompatible key usage"},
		{"key does not match", "", wrongKeyPEM, "does not match"},
	}
	pairs := map[string][2]string{}
	for name, c := range map[string]struct {
		cert *x509.Certificate
		key  *ecdsa.PrivateKey
	}{"": {good, goodKey}, "expired": {expired, expiredKey}, "foreign": {foreign, foreignKey}, "server": {server, serverKey}} {
		cp, kp := pemOf(t, c.cert, c.key)
		pairs[name] = [2]string{cp, kp}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			pair := pairs[tt.cert]
			key := pair[1]
			if tt.key != "" {
				key = tt.key
			}
			pemFile := filepath.Join(dir, "kubelet-client-current.pem")
			if err := os.WriteFile(pemFile, []byte(pair[0]+key), 0o600); err != nil {
				t.Fatal(err)
			}
			conf := filepath.Join(dir, "kubelet.conf")
			kc := "apiVersion: v1\nkind: Config\nclusters:\n- name: k\n  cluster:\n    server: https://10.0.0.1:6443\n    certificate-authority-data: " +
				b64(caPEM) + "\ncontexts:\n- name: c\n  context: {cluster: k, user: u}\ncurrent-context: c\nusers:\n- name: u\n  user:\n    client-certificate: " +
				pemFile + "\n    client-key: " + pemFile + "\n"
			if err := os.WriteFile(conf, []byte(kc), 0o600); err != nil {
				t.Fatal(err)
			}
			user, err := CertificateCheck(context.Background(), conf)
			if tt.wantErr == "" {
				if err != nil || user != "system:node:w1" {
					t.Fatalf("got %q, %v", user, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
	if _, err := CertificateCheck(context.Background(), filepath.Join(t.TempDir(), "missing.conf")); err == nil {
		t.Error("a missing kubelet.conf passed")
	}
}

func b64(s string) string {
	return base64.StdEncoding.EncodeToString([]byte(s))
}
