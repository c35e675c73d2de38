package certs

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/pkiutil"
)

func TestServiceAccountKey(t *testing.T) {
	t.Parallel()
	const alg = config.EncryptionAlgorithmECDSAP256
	tests := []struct {
		name       string
		prepare    func(t *testing.T, dir string)
		wantAction Action
		wantFile   string
		wantReason string
	}{
		{name: "generated", wantAction: Generated},
		{name: "reused", prepare: func(t *testing.T, dir string) { createSA(t, dir) }, wantAction: Reused},
		{
			name: "public key written again from the private key",
			prepare: func(t *testing.T, dir string) {
				createSA(t, dir)
				remove(t, dir, ServiceAccountPubFile)
			},
			wantAction: Reused,
		},
		{
			name: "public key of another key",
			prepare: func(t *testing.T, dir string) {
				createSA(t, dir)
				if err := pkiutil.WritePublicKey(dir, ServiceAccountBaseName, newKey(t).Public()); err != nil {
					t.Fatal(err)
				}
			},
			wantFile: ServiceAccountPubFile, wantReason: "is not the public key of",
		},
		{
			name: "public key without its private key",
			prepare: func(t *testing.T, dir string) {
				createSA(t, dir)
				remove(t, dir, ServiceAccountKeyFile)
			},
			wantFile: ServiceAccountPubFile, wantReason: "exists without its private key",
		},
		{
			name: "private key unreadable",
			prepare: func(t *testing.T, dir string) {
				if err := os.WriteFile(filepath.Join(dir, ServiceAccountKeyFile), []byte("junk"), 0o600); err != nil {
					t.Fatal(err)
				}
			},
			wantFile: ServiceAccountKeyFile, wantReason: "cannot be used",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if tt.prepare != nil {
				tt.prepare(t, dir)
			}
			res, err := CreateServiceAccountKey(context.Background(), At(dir), alg, nil)
			if tt.wantFile != "" {
				var fe *FileError
				if !errors.As(err, &fe) || fe.Path != filepath.Join(dir, tt.wantFile) || !strings.Contains(fe.Reason, tt.wantReason) {
					t.Fatalf("error %v, want a FileError about %s that %s", err, tt.wantFile, tt.wantReason)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if res.Action != tt.wantAction {
				t.Errorf("action %v, want %v", res.Action, tt.wantAction)
			}
			k, err := pkiutil.LoadKey(dir, ServiceAccountBaseName)
			if err != nil {
				t.Fatal(err)
			}
			pub, err := pkiutil.LoadPublicKey(dir, ServiceAccountBaseName)
			if err != nil || !pkiutil.PublicKeysEqual(pub, k.Public()) {
				t.Errorf("sa.pub does not match sa.key (%v)", err)
			}
			checkModes(t, dir)
		})
	}
}

func createSA(t *testing.T, dir string) {
	t.Helper()
	if _, err := CreateServiceAccountKey(context.Background(), At(dir), config.EncryptionAlgorithmECDSAP256, nil); err != nil {
		t.Fatal(err)
	}
}

func remove(t *testing.T, dir, file string) {
	t.Helper()
	if err := os.Remove(filepath.Join(dir, file)); err != nil {
		t.Fatal(err)
	}
}
