package cleanup

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// Remove removes t. A target that does not exist is removed already. It
// refuses a path with a symbolic link on the way to it, so that a link
// planted in an owned directory cannot send the removal elsewhere; inside a
// directory, links are removed, never followed, and a directory on another
// file system (a mount the caller did not unmount) is left alone and
// reported. Removal goes on past a failed entry; the error lists them all.
func Remove(t Target) error {
	fi, err := os.Lstat(t.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	// A file target may be a link, which is removed; only what leads to it
	// must not be one.
	checked := filepath.Dir(t.Path)
	if t.Contents {
		checked = t.Path
	}
	if err := noLinks(checked); err != nil {
		return err
	}
	if !t.Contents {
		if fi.IsDir() {
			return fmt.Errorf("%s is a directory where kadm expects a file: not removing it", t.Path)
		}
		return os.Remove(t.Path)
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s is not a directory: not removing it", t.Path)
	}
	root, err := os.OpenRoot(t.Path)
	if err != nil {
		return err
	}
	defer root.Close()
	return clearDir(root, t.Path, device(fi))
}

// noLinks refuses path when it, or a directory above it, is a symbolic link.
func noLinks(path string) error {
	resolved, err := filepath.EvalSymlinks(path)
	if err != nil {
		return err
	}
	if resolved != path {
		return fmt.Errorf("%s resolves to %s through a symbolic link: kadm does not follow links when it deletes; clean it by hand", path, resolved)
	}
	return nil
}

// clearDir removes everything in root, which is the directory at path.
func clearDir(root *os.Root, path string, dev uint64) error {
	dir, err := root.Open(".")
	if err != nil {
		return err
	}
	names, err := dir.Readdirnames(-1)
	dir.Close()
	if err != nil {
		return fmt.Errorf("list %s: %w", path, err)
	}
	var errs []error
	for _, name := range names {
		if err := removeEntry(root, path, name, dev); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func removeEntry(root *os.Root, parent, name string, dev uint64) error {
	full := filepath.Join(parent, name)
	fi, err := root.Lstat(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if fi.IsDir() {
		if device(fi) != dev {
			return fmt.Errorf("%s is a mount point: not removing it; unmount it and run reset again", full)
		}
		sub, err := root.OpenRoot(name)
		if err != nil {
			return err
		}
		err = clearDir(sub, full, dev)
		sub.Close()
		if err != nil {
			return err
		}
	}
	if err := root.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove %s: %w", full, err)
	}
	return nil
}

// device is the file system fi lives on.
func device(fi fs.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Dev)
	}
	return 0
}
