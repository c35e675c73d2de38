package preflight

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
)

// FileAvailable fails when the file exists: kadm would otherwise overwrite
// something it did not write, such as another control plane's manifest.
type FileAvailable struct {
	Path  string
	Label string
	Root  fs.FS
}

func (c FileAvailable) Name() string {
	if c.Label != "" {
		return c.Label
	}
	return label("FileAvailable", c.Path)
}

func (c FileAvailable) Check(ctx context.Context) (warnings, errs []error) {
	if _, err := fs.Stat(c.Root, rel(c.Path)); err == nil {
		return nil, []error{fmt.Errorf("%s already exists", c.Path)}
	}
	return nil, nil
}

// FileExisting fails when the file is missing, such as a client certificate
// the configuration names.
type FileExisting struct {
	Path  string
	Label string
	Root  fs.FS
}

func (c FileExisting) Name() string {
	if c.Label != "" {
		return c.Label
	}
	return label("FileExisting", c.Path)
}

func (c FileExisting) Check(ctx context.Context) (warnings, errs []error) {
	if _, err := fs.Stat(c.Root, rel(c.Path)); err != nil {
		return nil, []error{fmt.Errorf("%s doesn't exist", c.Path)}
	}
	return nil, nil
}

// DirAvailable fails when the directory exists and is not empty, such as an
// etcd data directory holding another cluster's data.
type DirAvailable struct {
	Path  string
	Label string
	Root  fs.FS
}

func (c DirAvailable) Name() string {
	if c.Label != "" {
		return c.Label
	}
	return label("DirAvailable", c.Path)
}

func (c DirAvailable) Check(ctx context.Context) (warnings, errs []error) {
	entries, err := fs.ReadDir(c.Root, rel(c.Path))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil
	case err != nil:
		return nil, []error{fmt.Errorf("unable to check if %s is empty: %w", c.Path, err)}
	case len(entries) > 0:
		return nil, []error{fmt.Errorf("%s is not empty", c.Path)}
	}
	return nil, nil
}

// FileContent fails unless the file starts with Content, as kubeadm checks
// sysctls such as /proc/sys/net/ipv4/ip_forward.
type FileContent struct {
	Path    string
	Content []byte
	Label   string
	Root    fs.FS
}

func (c FileContent) Name() string {
	if c.Label != "" {
		return c.Label
	}
	return label("FileContent", c.Path)
}

func (c FileContent) Check(ctx context.Context) (warnings, errs []error) {
	f, err := c.Root.Open(rel(c.Path))
	if err != nil {
		return nil, []error{fmt.Errorf("%s does not exist", c.Path)}
	}
	defer f.Close()
	got, err := io.ReadAll(io.LimitReader(f, int64(len(c.Content))))
	if err != nil {
		return nil, []error{fmt.Errorf("%s could not be read: %w", c.Path, err)}
	}
	if !bytes.Equal(got, c.Content) {
		return nil, []error{fmt.Errorf("%s contents are not set to %s", c.Path, c.Content)}
	}
	return nil, nil
}
