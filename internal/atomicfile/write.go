package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// tempMarker joins a target's base name and the random suffix in the name of
// its temporary file: ".ca.key.tmp-123456".
const tempMarker = ".tmp-"

// Write replaces path with data: a temporary file in the same directory gets
// the final mode, the data and an fsync before it is renamed over path, and
// the directory is synced so the rename survives a crash. The temporary
// files that a crashed earlier Write of path left behind (they may hold half
// a private key) are removed first; no reader ever looks at them.
func Write(path string, data []byte, mode os.FileMode) (err error) {
	dir := filepath.Dir(path)
	if err := removeStale(path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	f, err := os.CreateTemp(dir, tempPrefix(path))
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
			err = fmt.Errorf("write %s: %w", path, err)
		}
	}()
	if err = f.Chmod(mode); err != nil {
		return err
	}
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp, path); err != nil {
		return err
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

func tempPrefix(path string) string {
	return "." + filepath.Base(path) + tempMarker
}

// removeStale deletes the temporary files of earlier writes of path. Only
// regular files with exactly Write's naming are touched.
func removeStale(path string) error {
	entries, err := os.ReadDir(filepath.Dir(path))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	prefix := tempPrefix(path)
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, prefix) || !isTempSuffix(name[len(prefix):]) || !e.Type().IsRegular() {
			continue
		}
		if err := os.Remove(filepath.Join(filepath.Dir(path), name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("remove the temporary file of an interrupted write: %w", err)
		}
	}
	return nil
}

// isTempSuffix tells the random part os.CreateTemp puts into a name: digits.
func isTempSuffix(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
