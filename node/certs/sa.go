package certs

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/internal/atomicfile"
	"github.com/kadm-project/kadm/pkiutil"
)

// CreateServiceAccountKey makes the key pair the API server signs service
// account tokens with (sa.key) and verifies them with (sa.pub), or keeps a
// valid pair. A missing sa.pub is written again from sa.key, since it is
// derived from it; anything else that is wrong is reported, because a new
// key would invalidate every token already issued. A dry run checks the
// host's pair where it is and writes nothing next to it.
func CreateServiceAccountKey(ctx context.Context, t Tree, alg config.EncryptionAlgorithmType, keys *pkiutil.KeyPool) (Result, error) {
	dir, onHost := t.Dir, false
	if !hasServiceAccountKey(t.Dir) && t.Host != "" && hasServiceAccountKey(t.Host) {
		dir, onHost = t.Host, true
	}
	if t.Host == "" && exists(dir) {
		if err := atomicfile.Dir(dir, pkiutil.DirMode); err != nil {
			return Result{}, err
		}
	}
	keyPath := filepath.Join(dir, ServiceAccountKeyFile)
	pubPath := filepath.Join(dir, ServiceAccountPubFile)
	k, err := pkiutil.LoadKey(dir, ServiceAccountBaseName)
	switch {
	case err == nil:
		pub, err := pkiutil.LoadPublicKey(dir, ServiceAccountBaseName)
		if errors.Is(err, fs.ErrNotExist) && onHost {
			return Result{Action: Reused}, nil
		}
		if errors.Is(err, fs.ErrNotExist) {
			if err := pkiutil.WritePublicKey(dir, ServiceAccountBaseName, k.Public()); err != nil {
				return Result{}, err
			}
			return Result{Action: Reused}, nil
		}
		fix := fmt.Sprintf("remove %s to have it written again from %s", pubPath, keyPath)
		if err != nil {
			return Result{}, &FileError{Path: pubPath, Reason: "cannot be used: " + cause(err), Fix: fix}
		}
		if !pkiutil.PublicKeysEqual(k.Public(), pub) {
			return Result{}, &FileError{Path: pubPath, Reason: "is not the public key of " + keyPath, Fix: fix}
		}
		return Result{Action: Reused}, nil
	case !errors.Is(err, fs.ErrNotExist):
		return Result{}, &FileError{Path: keyPath, Reason: "cannot be used: " + cause(err),
			Fix: fmt.Sprintf("kadm does not overwrite it: repair it, or remove %s and %s to have a new pair generated (tokens signed with the old key then stop working)", keyPath, pubPath)}
	case exists(pubPath):
		return Result{}, &FileError{Path: pubPath, Reason: "exists without its private key " + keyPath,
			Fix: "put sa.key next to it, or remove sa.pub to have a new pair generated"}
	}
	k, err = keys.Get(ctx, alg)
	if err != nil {
		return Result{}, fmt.Errorf("generate the service account key: %w", err)
	}
	if err := pkiutil.WriteKey(dir, ServiceAccountBaseName, k); err != nil {
		return Result{}, err
	}
	if err := pkiutil.WritePublicKey(dir, ServiceAccountBaseName, k.Public()); err != nil {
		return Result{}, err
	}
	return Result{Action: Generated}, nil
}
