package certs

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/pkiutil"
)

// TestCreateTree issues the whole tree and checks every certificate on disk
// against its spec, its chain for each usage, and the files' modes.
func TestCreateTree(t *testing.T) {
	t.Parallel()
	for _, alg := range []config.EncryptionAlgorithmType{config.EncryptionAlgorithmECDSAP256, config.EncryptionAlgorithmECDSAP384, config.EncryptionAlgorithmRSA2048} {
		t.Run(string(alg), func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "pki")
			cluster := testCluster(alg)
			cluster.APIServer.CertSANs = []string{"API.example.com", "10.0.0.100"}
			specs := testSpecs(t, cluster)
			res := mustCreateAll(t, dir, specs, alg)
			for _, s := range specs {
				if res[s.Name].Action != Generated {
					t.Errorf("%s: action %v, want Generated", s.Name, res[s.Name].Action)
				}
				c, k, err := pkiutil.LoadCertAndKey(dir, s.BaseName)
				if err != nil {
					t.Fatal(err)
				}
				if !c.Equal(res[s.Name].Certificate) {
					t.Errorf("%s: the result is not the certificate on disk", s.Name)
				}
				checkIssued(t, s, c, k.Public(), alg)
				if !s.IsCA() {
					ca, err := pkiutil.LoadCert(dir, mustCA(s.Cert).BaseName)
					if err != nil {
						t.Fatal(err)
					}
					for _, u := range s.Config.Usages {
						if err := verify(c, nil, ca, u, time.Now()); err != nil {
							t.Errorf("%s does not verify against %s for %s: %v", s.Name, s.CAName, usageName(u), err)
						}
					}
				}
			}
			checkModes(t, dir)
			if k, err := pkiutil.LoadKey(dir, ServiceAccountBaseName); err != nil {
				t.Error(err)
			} else if pub, err := pkiutil.LoadPublicKey(dir, ServiceAccountBaseName); err != nil || !pkiutil.PublicKeysEqual(pub, k.Public()) {
				t.Errorf("sa.pub is not sa.key's public key (%v)", err)
			}
		})
	}
}

func checkIssued(t *testing.T, s Spec, c *x509.Certificate, pub any, alg config.EncryptionAlgorithmType) {
	t.Helper()
	if c.Subject.CommonName != s.Config.CommonName || !slices.Equal(c.Subject.Organization, s.Config.Organization) {
		t.Errorf("%s: subject %v, want CN=%s O=%v", s.Name, c.Subject, s.Config.CommonName, s.Config.Organization)
	}
	if c.IsCA != s.IsCA() {
		t.Errorf("%s: IsCA %v", s.Name, c.IsCA)
	}
	if diff := cmp.Diff(usageNames(s.Config.Usages), usageNames(c.ExtKeyUsage)); diff != "" {
		t.Errorf("%s: usages (-want +got):\n%s", s.Name, diff)
	}
	if !s.IsCA() {
		if missing := missingSANs(c, s.Config.AltNames); len(missing) > 0 {
			t.Errorf("%s: lacks SANs %v", s.Name, missing)
		}
		if extra := len(c.DNSNames) + len(c.IPAddresses) - len(uniq(s.Config.AltNames)); extra != 0 {
			t.Errorf("%s: %d SANs more than asked for: %v %v", s.Name, extra, c.DNSNames, c.IPAddresses)
		}
	}
	if got, want := c.NotAfter.Sub(c.NotBefore), s.Config.Validity+5*time.Minute; got != want {
		t.Errorf("%s: valid for %s, want %s (validity and clock-skew allowance)", s.Name, got, want)
	}
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if alg != config.EncryptionAlgorithmRSA2048 || k.N.BitLen() != 2048 {
			t.Errorf("%s: RSA-%d key for %s", s.Name, k.N.BitLen(), alg)
		}
	case *ecdsa.PublicKey:
		if "ECDSA-P"+k.Curve.Params().Name[2:] != string(alg) {
			t.Errorf("%s: ECDSA %s key for %s", s.Name, k.Curve.Params().Name, alg)
		}
	default:
		t.Errorf("%s: %T key", s.Name, pub)
	}
}

// uniq counts the distinct SANs of alt.
func uniq(alt pkiutil.AltNames) []string {
	var out []string
	for _, n := range alt.DNSNames {
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	for _, ip := range alt.IPs {
		if !slices.Contains(out, ip.String()) {
			out = append(out, ip.String())
		}
	}
	return out
}

// checkModes walks dir: keys and sa.pub 0600, certificates 0644, directories 0755.
func checkModes(t *testing.T, dir string) {
	t.Helper()
	err := filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := e.Info()
		if err != nil {
			return err
		}
		want := fs.FileMode(0o600)
		switch {
		case e.IsDir():
			want = fs.ModeDir | 0o755
		case filepath.Ext(path) == ".crt":
			want = 0o644
		}
		if fi.Mode() != want {
			t.Errorf("%s: mode %v, want %v", path, fi.Mode(), want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestCreateReusesValidFiles runs the tree twice: the second run keeps every
// file byte for byte and says so.
func TestCreateReusesValidFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	alg := config.EncryptionAlgorithmECDSAP256
	specs := testSpecs(t, testCluster(alg))
	mustCreateAll(t, dir, specs, alg)
	before := snapshot(t, dir)
	res := mustCreateAll(t, dir, specs, alg)
	for name, r := range res {
		if r.Action != Reused {
			t.Errorf("%s: action %v on a rerun, want Reused", name, r.Action)
		}
	}
	if diff := cmp.Diff(before, snapshot(t, dir)); diff != "" {
		t.Errorf("a rerun changed files (-before +after):\n%s", diff)
	}
}

// snapshot is every file under dir with its content; none when dir is
// absent.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return files
	}
	err := filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		files[path] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestCreateCompletesInterruptedLeaf: a key without its certificate, as a
// crash between the two writes leaves it, gets a certificate for that key.
func TestCreateCompletesInterruptedLeaf(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	alg := config.EncryptionAlgorithmECDSAP256
	specs := testSpecs(t, testCluster(alg))
	mustCreateAll(t, dir, specs, alg)
	key, err := os.ReadFile(pkiutil.KeyPath(dir, "apiserver"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(pkiutil.CertPath(dir, "apiserver")); err != nil {
		t.Fatal(err)
	}
	res, err := Create(context.Background(), At(dir), specNamed(t, specs, "apiserver"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Action != SignedExistingKey {
		t.Errorf("action %v, want SignedExistingKey", res.Action)
	}
	after, err := os.ReadFile(pkiutil.KeyPath(dir, "apiserver"))
	if err != nil || !bytes.Equal(key, after) {
		t.Errorf("the existing key was replaced (%v)", err)
	}
	if _, _, err := pkiutil.LoadCertAndKey(dir, "apiserver"); err != nil {
		t.Error(err)
	}
}

func TestCreateLeafNeedsItsCA(t *testing.T) {
	t.Parallel()
	specs := testSpecs(t, testCluster(config.EncryptionAlgorithmECDSAP256))
	_, err := Create(context.Background(), At(t.TempDir()), specNamed(t, specs, "front-proxy-client"), nil)
	if err == nil || !bytes.Contains([]byte(err.Error()), []byte("init phase certs front-proxy-ca")) {
		t.Fatalf("error %v, want one naming the phase that makes the CA", err)
	}
}
