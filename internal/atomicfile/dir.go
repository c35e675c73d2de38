package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"k8s.io/klog/v2"
)

// Dir makes path a directory with exactly mode, whatever the umask: the
// directories it creates (path and any missing parent) get mode, and an
// existing path whose mode differs is changed to it, as a rerun must repair
// what an earlier run under another umask, or another tool, left. A
// directory that is not kadm's to change keeps its mode: one owned by
// another user, one with the sticky bit (shared, like /tmp), or a top-level
// directory such as /root; such a directory is refused when other users may
// write to it, since they could replace what kadm puts there.
func Dir(path string, mode os.FileMode) error {
	path = filepath.Clean(path)
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return create(path, mode)
	case err != nil:
		return err
	case !fi.IsDir():
		return fmt.Errorf("%s is not a directory", path)
	}
	return correct(path, fi, mode)
}

// create makes path and its missing parents, each with mode.
func create(path string, mode os.FileMode) error {
	parent := filepath.Dir(path)
	if parent != path {
		switch _, err := os.Stat(parent); {
		case errors.Is(err, fs.ErrNotExist):
			if err := create(parent, mode); err != nil {
				return err
			}
		case err != nil:
			return err
		}
	}
	if err := os.Mkdir(path, mode); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return Dir(path, mode)
		}
		return fmt.Errorf("create directory %s: %w", path, err)
	}
	// Mkdir's mode went through the umask; this one does not.
	if err := os.Chmod(path, mode); err != nil {
		return fmt.Errorf("set the mode of directory %s: %w", path, err)
	}
	return nil
}

func correct(path string, fi fs.FileInfo, mode os.FileMode) error {
	if fi.Mode().Perm() == mode.Perm() {
		return nil
	}
	if !ours(path, fi) {
		if fi.Mode().Perm()&0o022 != 0 {
			return fmt.Errorf("directory %s (mode %s) is writable by other users, who could replace what kadm writes there, and is not kadm's to change: choose a directory only root can write to",
				path, fi.Mode())
		}
		return nil
	}
	if err := os.Chmod(path, mode); err != nil {
		return fmt.Errorf("set the mode of directory %s to %04o: %w", path, mode.Perm(), err)
	}
	klog.V(1).Infof("Changed the mode of directory %s from %04o to %04o", path, fi.Mode().Perm(), mode.Perm())
	return nil
}

// ours tells whether kadm may change the mode of the directory at path.
func ours(path string, fi fs.FileInfo) bool {
	if fi.Mode()&os.ModeSticky != 0 || filepath.Dir(path) == path || filepath.Dir(path) == "/" {
		return false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) == os.Geteuid()
}
