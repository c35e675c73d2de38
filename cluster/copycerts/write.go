package copycerts

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/kadm-project/kadm/cluster/kube"

	"github.com/kadm-project/kadm/cluster/objects"
	"github.com/kadm-project/kadm/internal/atomicfile"
	"github.com/kadm-project/kadm/pkiutil"
)

// Download fetches kubeadm-certs, opens it with key and writes files: the
// download-certs step of a control-plane join. A malformed key fails before
// any API call; nothing is written unless every entry opened and checked.
func Download(ctx context.Context, client kube.Interface, p objects.Policy, key string, files []File) error {
	if _, err := decodeKey(key); err != nil {
		return err
	}
	secret, err := Fetch(ctx, client, p, time.Now())
	if err != nil {
		return err
	}
	opened, err := Open(secret, key, files)
	if err != nil {
		return err
	}
	return Write(files, opened)
}

// previous is a file as it was before Write replaced it.
type previous struct {
	path   string
	exists bool
	data   []byte
	mode   fs.FileMode
}

// Write puts the opened files in place, each atomically with its mode,
// and the set all or nothing: when one write fails, the files already
// replaced get their old content back (or are removed if they were new).
// Files already holding the same bytes and mode are left alone.
func Write(files []File, opened map[string][]byte) error {
	var done []previous
	for _, f := range files {
		data, ok := opened[f.Entry]
		if !ok || f.Path == "" {
			continue
		}
		// The same directory mode as the certs phase gives them.
		if err := atomicfile.Dir(filepath.Dir(f.Path), pkiutil.DirMode); err != nil {
			return rollback(done, fmt.Errorf("the directory of %s: %w", f.Path, err))
		}
		prev, err := read(f.Path)
		if err != nil {
			return rollback(done, err)
		}
		if prev.exists && bytes.Equal(prev.data, data) && prev.mode == f.Content.Mode() {
			continue
		}
		if err := atomicfile.Write(f.Path, data, f.Content.Mode()); err != nil {
			return rollback(done, err)
		}
		done = append(done, prev)
	}
	return nil
}

func read(path string) (previous, error) {
	p := previous{path: path}
	info, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return p, nil
	}
	if err != nil {
		return p, err
	}
	if p.data, err = os.ReadFile(path); err != nil {
		return p, err
	}
	p.exists, p.mode = true, info.Mode().Perm()
	return p, nil
}

// rollback restores the files written before cause and reports cause, with
// any file it could not restore.
func rollback(done []previous, cause error) error {
	errs := []error{fmt.Errorf("write the downloaded certificates: %w", cause)}
	for i := len(done) - 1; i >= 0; i-- {
		p := done[i]
		var err error
		if p.exists {
			err = atomicfile.Write(p.path, p.data, p.mode)
		} else {
			err = os.Remove(p.path)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("restore %s: %w", p.path, err))
		}
	}
	return errors.Join(errs...)
}
