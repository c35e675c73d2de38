package framework

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// templateHost is the host that imports the lab's images once, so that every
// other host starts with them.
const templateHost = "images"

// PrepareContainerdRoot makes the containerd root every host of the lab starts
// from: a containerd state directory holding the lab's images, imported once
// into a template host and kept next to the image archive. Importing the
// archive takes each containerd about 10 s; a host seeded from the template
// instead gets hard links to the same immutable blobs and unpacked layers, and
// its own copy of containerd's databases.
func (l *Lab) PrepareContainerdRoot(ctx context.Context) error {
	key := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(l.Images), "images-"), ".tar")
	dir := filepath.Join(l.BinDir, "containerd-root-"+key)
	if _, err := os.Stat(dir); err == nil {
		l.ContainerdRoot = dir
		return nil
	}
	l.ContainerdRoot = ""
	h, err := l.CreateHost(ctx, templateHost)
	if err != nil {
		return fmt.Errorf("import the images into a template host: %w", err)
	}
	defer func() {
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		_ = h.Destroy(dctx)
	}()
	// A stopped containerd has closed its databases.
	if _, err := h.Run(ctx, "systemctl", "stop", "containerd"); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(l.BinDir, ".containerd-root-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if err := linkTree(filepath.Join(h.Dir, "var-lib-containerd"), filepath.Join(tmp, "root")); err != nil {
		return err
	}
	if err := os.Rename(filepath.Join(tmp, "root"), dir); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	old, _ := filepath.Glob(filepath.Join(l.BinDir, "containerd-root-*"))
	for _, o := range old {
		if o != dir {
			os.RemoveAll(o)
		}
	}
	l.ContainerdRoot = dir
	return nil
}

// linkTree recreates the tree src at dst: directories and symlinks anew,
// containerd's bolt databases (*.db) as copies, every other file as a hard link
// (a copy across file systems). containerd never writes a blob or an unpacked
// layer once committed, so hosts can share them.
func linkTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			if err := os.Mkdir(target, info.Mode().Perm()); err != nil && !errors.Is(err, fs.ErrExist) {
				return err
			}
			return os.Chmod(target, info.Mode().Perm())
		case info.Mode()&fs.ModeSymlink != 0:
			link, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(link, target)
		case strings.HasSuffix(p, ".db"):
			return copyFile(p, target, info.Mode().Perm())
		}
		err = os.Link(p, target)
		if errors.Is(err, syscall.EXDEV) {
			return copyFile(p, target, info.Mode().Perm())
		}
		return err
	})
}

func copyFile(src, dst string, mode fs.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
