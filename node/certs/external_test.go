package certs

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/pkiutil"
)

// TestExternalCA removes a CA's key after a complete run: the CA is kept
// keyless, its existing leaves are used, and a missing leaf is an error
// that lists every file still to provide.
func TestExternalCA(t *testing.T) {
	t.Parallel()
	tests := []struct {
		ca          string
		remove      []string
		wantMissing []string
	}{
		{ca: "ca"},
		{ca: "front-proxy-ca"},
		{ca: "ca", remove: []string{"apiserver.crt", "apiserver-kubelet-client.key"}, wantMissing: []string{"apiserver.crt", "apiserver-kubelet-client.key"}},
		{ca: "front-proxy-ca", remove: []string{"front-proxy-client.key"}, wantMissing: []string{"front-proxy-client.key"}},
		{ca: "etcd-ca", remove: []string{"etcd/peer.crt", "etcd/peer.key"}, wantMissing: []string{"etcd/peer.crt", "etcd/peer.key"}},
	}
	for _, tt := range tests {
		t.Run(tt.ca+" "+filepath.Join(tt.remove...), func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			cluster := testCluster(config.EncryptionAlgorithmECDSAP256)
			specs := testSpecs(t, cluster)
			mustCreateAll(t, dir, specs, cluster.EncryptionAlgorithm)
			ca, _ := Lookup(tt.ca)
			for _, f := range append([]string{ca.BaseName + ".key"}, tt.remove...) {
				if err := os.Remove(filepath.Join(dir, f)); err != nil {
					t.Fatal(err)
				}
			}
			res, err := Create(context.Background(), At(dir), specNamed(t, specs, tt.ca), nil)
			if err != nil {
				t.Fatal(err)
			}
			if res.Action != ReusedKeyless {
				t.Errorf("CA action %v, want ReusedKeyless", res.Action)
			}
			var missing []string
			for _, leaf := range leaves(ca) {
				_, err := Create(context.Background(), At(dir), specNamed(t, specs, leaf.Name), nil)
				var ext *ExternalCAError
				switch {
				case errors.As(err, &ext):
					if ext.CA != pkiutil.CertPath(dir, ca.BaseName) {
						t.Errorf("error names the CA %s", ext.CA)
					}
					missing = ext.Missing
				case err != nil:
					t.Errorf("%s: %v", leaf.Name, err)
				}
			}
			var want []string
			for _, f := range tt.wantMissing {
				want = append(want, filepath.Join(dir, f))
			}
			if diff := cmp.Diff(want, missing); diff != "" {
				t.Errorf("missing files reported (-want +got):\n%s", diff)
			}
			if _, err := os.Stat(filepath.Join(dir, ca.BaseName+".key")); err == nil {
				t.Error("kadm wrote a key for the external CA")
			}
		})
	}
}

// TestExternalCAInvalidLeaf: an external CA's leaf that is present but
// broken is reported with a fix that does not suggest generating it.
func TestExternalCAInvalidLeaf(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cluster := testCluster(config.EncryptionAlgorithmECDSAP256)
	specs := testSpecs(t, cluster)
	mustCreateAll(t, dir, specs, cluster.EncryptionAlgorithm)
	if err := os.Remove(pkiutil.KeyPath(dir, "ca")); err != nil {
		t.Fatal(err)
	}
	if err := pkiutil.WriteKey(dir, "apiserver", newKey(t)); err != nil {
		t.Fatal(err)
	}
	_, err := Create(context.Background(), At(dir), specNamed(t, specs, "apiserver"), nil)
	var fe *FileError
	if !errors.As(err, &fe) || fe.Path != pkiutil.KeyPath(dir, "apiserver") {
		t.Fatalf("error %v, want a FileError about apiserver.key", err)
	}
	if want := "signed by the external CA"; !strings.Contains(fe.Fix, want) {
		t.Errorf("fix %q, want it to mention %q", fe.Fix, want)
	}
}
