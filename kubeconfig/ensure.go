package kubeconfig

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"

	"github.com/kadm-project/kadm/pkiutil"
)

// Outcome says what Ensure did with one file.
type Outcome struct {
	Path string
	// Written is true when the file did not exist and was created.
	Written bool
	// ServerMismatch is set when an existing file, valid otherwise, names
	// another API server. The file is kept, as kubeadm keeps it; the caller
	// should warn.
	ServerMismatch *ServerMismatchError
}

// Ensure makes dir/f.Name a valid kubeconfig for the cluster: a valid
// existing file is kept, a missing one is created when ca has a key, and
// anything else is an error that says how to get out of it. Ensure never
// replaces an existing file, because it may be the only copy of credentials
// someone relies on. New keys come from keys (nil: generated on the spot).
func Ensure(ctx context.Context, dir string, f ClientFile, ca CA, keys *pkiutil.KeyPool) (Outcome, error) {
	path := filepath.Join(dir, f.Name)
	out := Outcome{Path: path}
	cfg, err := Load(path)
	switch {
	case errors.Is(err, fs.ErrNotExist) && ca.Key == nil:
		return out, fmt.Errorf("kubeconfig file %q is missing, and kadm cannot create it because the cluster CA's key is absent (external CA mode): "+
			"create it yourself with a client certificate for CN=%q O=%q signed by the CA in ca.crt, pointing at %s",
			path, f.User, f.Groups, f.Server)
	case errors.Is(err, fs.ErrNotExist):
		cfg, err := f.Build(ctx, ca, keys)
		if err != nil {
			return out, err
		}
		if err := Write(path, cfg); err != nil {
			return out, err
		}
		out.Written = true
		return out, nil
	case err != nil:
		return out, fmt.Errorf("%w: %s", err, fix(ca))
	}
	var mismatch *ServerMismatchError
	switch err := Validate(cfg, Want{Server: f.Server, CAs: ca.Certs}); {
	case errors.As(err, &mismatch):
		out.ServerMismatch = mismatch
		return out, nil
	case err != nil:
		return out, fmt.Errorf("kubeconfig file %q exists but is not valid for this cluster: %w; %s", path, err, fix(ca))
	}
	return out, nil
}

// fix is the way out of an unusable existing file, which depends on whether
// kadm can sign a replacement.
func fix(ca CA) string {
	if ca.Key == nil {
		return "replace it with one made for this cluster and signed by the CA in ca.crt (external CA mode: kadm cannot sign one)"
	}
	return "if it is left over from another cluster, remove it (or reset the node) and rerun, and kadm writes a new one"
}
