package pkiutil

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteModesAndLoad(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "pki")
	ca, caKey := testCA(t)
	if err := WriteCert(dir, "etcd/ca", ca); err != nil {
		t.Fatal(err)
	}
	if err := WriteKey(dir, "etcd/ca", caKey); err != nil {
		t.Fatal(err)
	}
	if err := WritePublicKey(dir, "sa", caKey.Public()); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]os.FileMode{
		dir:                               DirMode | fs.ModeDir,
		filepath.Join(dir, "etcd"):        DirMode | fs.ModeDir,
		filepath.Join(dir, "etcd/ca.crt"): CertMode,
		filepath.Join(dir, "etcd/ca.key"): KeyMode,
		filepath.Join(dir, "sa.pub"):      KeyMode,
	} {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode() != want {
			t.Errorf("%s has mode %v, want %v", path, fi.Mode(), want)
		}
	}
	c, k, err := LoadCertAndKey(dir, "etcd/ca")
	if err != nil {
		t.Fatal(err)
	}
	if !c.Equal(ca) || !PublicKeysEqual(k.Public(), caKey.Public()) {
		t.Error("loaded pair differs from the written one")
	}
	pub, err := LoadPublicKey(dir, "sa")
	if err != nil {
		t.Fatal(err)
	}
	if !PublicKeysEqual(pub, caKey.Public()) {
		t.Error("loaded public key differs from the written one")
	}
}

func TestLoadChain(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ca, _ := testCA(t)
	other, _ := testCA(t)
	data := append(EncodeCertPEM(ca), EncodeCertPEM(other)...)
	if err := os.WriteFile(CertPath(dir, "bundle"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	leaf, rest, err := LoadCertChain(dir, "bundle")
	if err != nil {
		t.Fatal(err)
	}
	if !leaf.Equal(ca) || len(rest) != 1 || !rest[0].Equal(other) {
		t.Errorf("chain split wrongly: leaf %q, %d intermediates", leaf.Subject.CommonName, len(rest))
	}
}

func TestLoadErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ca, _ := testCA(t)
	if err := WriteCert(dir, "ca", ca); err != nil {
		t.Fatal(err)
	}
	if err := WriteKey(dir, "ca", testKey(t)); err != nil {
		t.Fatal(err)
	}
	secret := "-----BEGIN RSA PRIVATE KEY-----\nc2VjcmV0LWtleS1tYXRlcmlhbA==\n-----END RSA PRIVATE KEY-----\n"
	if err := os.WriteFile(KeyPath(dir, "garbled"), []byte(secret), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(CertPath(dir, "garbled"), []byte("not PEM"), 0o644); err != nil {
		t.Fatal(err)
	}

	if _, err := LoadCert(dir, "missing"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing certificate: %v, want fs.ErrNotExist", err)
	}
	if _, err := LoadKey(dir, "missing"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing key: %v, want fs.ErrNotExist", err)
	}
	var pe *fs.PathError
	if _, err := LoadCert(dir, "garbled"); !errors.As(err, &pe) || pe.Op != "parse" || pe.Path != CertPath(dir, "garbled") {
		t.Errorf("garbled certificate: %v, want a parse PathError", err)
	}
	_, err := LoadKey(dir, "garbled")
	if !errors.As(err, &pe) || pe.Op != "parse" {
		t.Errorf("garbled key: %v, want a parse PathError", err)
	}
	if strings.Contains(err.Error(), "c2VjcmV0") {
		t.Errorf("the error shows key material: %v", err)
	}
	if _, _, err := LoadCertAndKey(dir, "ca"); err == nil || !strings.Contains(err.Error(), "does not hold the private key") {
		t.Errorf("mismatched pair: %v", err)
	}
}
