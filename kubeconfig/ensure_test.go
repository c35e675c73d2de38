package kubeconfig

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	certutil "k8s.io/client-go/util/cert"

	"github.com/kadm-project/kadm/config"
)

func testFiles(t *testing.T) []ClientFile {
	t.Helper()
	files, err := ControlPlaneFiles("cp-1", config.APIEndpoint{AdvertiseAddress: "10.0.0.5", BindPort: 6443}, &config.ClusterConfiguration{
		ClusterName:               "prod",
		ControlPlaneEndpoint:      "lb.example.com",
		CertificateValidityPeriod: &metav1.Duration{Duration: 30 * 24 * time.Hour},
		EncryptionAlgorithm:       config.EncryptionAlgorithmECDSAP256,
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func TestEnsureWritesEachFile(t *testing.T) {
	t.Parallel()
	ca := newTestCA(t, "kubernetes")
	dir := t.TempDir()
	for _, f := range testFiles(t) {
		t.Run(f.Name, func(t *testing.T) {
			t.Parallel()
			out, err := Ensure(context.Background(), dir, f, ca, nil)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, f.Name)
			if !out.Written || out.Path != path {
				t.Fatalf("outcome %+v, want %s written", out, path)
			}
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm() != 0o600 {
				t.Errorf("mode %v, want 0600", fi.Mode().Perm())
			}
			cfg, err := Load(path)
			if err != nil {
				t.Fatal(err)
			}
			if want := f.User + "@prod"; cfg.CurrentContext != want {
				t.Errorf("current-context %q, want %q", cfg.CurrentContext, want)
			}
			cluster, user, err := Current(cfg)
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Clusters["prod"] != cluster {
				t.Errorf("the current context's cluster is not named prod: %v", cfg.Clusters)
			}
			if cluster.Server != f.Server {
				t.Errorf("server %s, want %s", cluster.Server, f.Server)
			}
			caCerts, err := certutil.ParseCertsPEM(cluster.CertificateAuthorityData)
			if err != nil || !caCerts[0].Equal(ca.Certs[0]) {
				t.Errorf("embedded CA is not ca.crt (%v)", err)
			}
			certs, err := certutil.ParseCertsPEM(user.ClientCertificateData)
			if err != nil {
				t.Fatal(err)
			}
			cert := certs[0]
			if cert.Subject.CommonName != f.User || !slices.Equal(cert.Subject.Organization, f.Groups) {
				t.Errorf("subject CN=%q O=%v, want CN=%q O=%v", cert.Subject.CommonName, cert.Subject.Organization, f.User, f.Groups)
			}
			roots := x509.NewCertPool()
			roots.AddCert(ca.Certs[0])
			if _, err := cert.Verify(x509.VerifyOptions{Roots: roots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
				t.Errorf("client certificate does not verify against ca.crt for client auth: %v", err)
			}
			if left := time.Until(cert.NotAfter); left < 29*24*time.Hour || left > 30*24*time.Hour {
				t.Errorf("certificate expires in %v, want the configured 30 days", left)
			}
			if pub, ok := cert.PublicKey.(*ecdsa.PublicKey); !ok || pub.Curve != elliptic.P256() {
				t.Errorf("client key is %T, want the configured ECDSA-P256", cert.PublicKey)
			}
		})
	}
}

func TestEnsureExisting(t *testing.T) {
	t.Parallel()
	ca, other := newTestCA(t, "kubernetes"), newTestCA(t, "another-cluster")
	admin := testFiles(t)[0]
	elsewhere := admin
	elsewhere.Server = "https://old-lb.example.com:6443"
	external := CA{Certs: ca.Certs}
	tests := []struct {
		name      string
		existing  func(t *testing.T, path string) // nil: no file
		ca        CA
		errIs     error  // nil: no error expected
		errText   string // part of the error message
		written   bool
		mismatch  bool
		wantExist bool
	}{
		{name: "valid file is kept", existing: writeFile(admin, ca), ca: ca, wantExist: true},
		{name: "other server is kept with a mismatch", existing: writeFile(elsewhere, ca), ca: ca, mismatch: true, wantExist: true},
		{name: "wrong CA is an error", existing: writeFile(admin, other), ca: ca, errIs: ErrWrongCA, errText: "remove it", wantExist: true},
		{name: "unreadable file is an error", existing: garbage, ca: ca, errText: "remove it", wantExist: true},
		{name: "external CA keeps a valid file", existing: writeFile(admin, ca), ca: external, wantExist: true},
		{name: "external CA rejects a wrong CA", existing: writeFile(admin, other), ca: external, errIs: ErrWrongCA, errText: "external CA", wantExist: true},
		{name: "external CA cannot create a missing file", ca: external, errText: "external CA"},
		{name: "missing file is written", ca: ca, written: true, wantExist: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := filepath.Join(dir, admin.Name)
			if tt.existing != nil {
				tt.existing(t, path)
			}
			before, _ := os.ReadFile(path)
			out, err := Ensure(context.Background(), dir, admin, tt.ca, nil)
			switch {
			case tt.errIs == nil && tt.errText == "" && err != nil:
				t.Fatalf("Ensure = %v, want success", err)
			case tt.errIs != nil && !errors.Is(err, tt.errIs):
				t.Fatalf("Ensure = %v, want %v", err, tt.errIs)
			case tt.errText != "" && (err == nil || !strings.Contains(err.Error(), tt.errText) || !strings.Contains(err.Error(), path)):
				t.Fatalf("Ensure = %v, want an error naming %s and saying %q", err, path, tt.errText)
			}
			if out.Written != tt.written || (out.ServerMismatch != nil) != tt.mismatch {
				t.Errorf("outcome %+v, want written %v, server mismatch %v", out, tt.written, tt.mismatch)
			}
			after, statErr := os.ReadFile(path)
			if exists := statErr == nil; exists != tt.wantExist {
				t.Fatalf("file exists: %v, want %v", exists, tt.wantExist)
			}
			if !tt.written && !bytes.Equal(before, after) {
				t.Error("Ensure changed an existing file")
			}
		})
	}
}

// writeFile puts f, signed by ca, at the path a test gives.
func writeFile(f ClientFile, ca CA) func(*testing.T, string) {
	return func(t *testing.T, path string) {
		t.Helper()
		cfg, err := f.Build(context.Background(), ca, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := Write(path, cfg); err != nil {
			t.Fatal(err)
		}
	}
}

func garbage(t *testing.T, path string) {
	t.Helper()
	if err := os.WriteFile(path, []byte("clusters: [this is not a kubeconfig"), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestBuildNeedsTheCAKey(t *testing.T) {
	t.Parallel()
	ca := newTestCA(t, "kubernetes")
	if _, err := testFiles(t)[0].Build(context.Background(), CA{Certs: ca.Certs}, nil); err == nil {
		t.Error("Build signed a certificate without the CA key")
	}
}

func TestLoadCA(t *testing.T) {
	t.Parallel()
	ca := newTestCA(t, "kubernetes")
	dir := t.TempDir()
	if err := writeCA(dir, ca); err != nil {
		t.Fatal(err)
	}
	got, err := LoadCA(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Certs) != 1 || !got.Certs[0].Equal(ca.Certs[0]) || got.Key == nil {
		t.Errorf("LoadCA = %d certs, key %v; want ca.crt and its key", len(got.Certs), got.Key != nil)
	}
	got, err = LoadCA(dir, true)
	if err != nil {
		t.Fatal(err)
	}
	if got.Key != nil {
		t.Error("LoadCA in external mode read the key")
	}
	if _, err := LoadCA(t.TempDir(), false); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("LoadCA of an empty directory = %v, want fs.ErrNotExist", err)
	}
}
