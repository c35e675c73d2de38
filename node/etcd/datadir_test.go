package etcd

import (
	"os"
	"path/filepath"
	"testing"
)

func TestCreateDataDir(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "var", "lib", "etcd")
	for range 2 { // a rerun keeps the directory
		if err := CreateDataDir(dir); err != nil {
			t.Fatal(err)
		}
		// and puts its mode right when someone opened it
		if err := os.Chmod(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := CreateDataDir(dir); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := info.Mode().Perm(); got != DataDirMode {
		t.Errorf("mode = %v, want %v", got, DataDirMode)
	}
	if err := CreateDataDir(filepath.Join(dir, "..", "..", "..", "..", string([]byte{0}))); err == nil {
		t.Error("CreateDataDir of an invalid path succeeded")
	}
}
