package filewatch

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestWatch(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	changed, err := Watch(ctx, dir, filepath.Join(dir, "missing"))
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-changed:
		t.Fatal("a change before any write")
	default:
	}
	tmp := filepath.Join(dir, ".kubelet.conf.tmp")
	if err := os.WriteFile(tmp, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, "kubelet.conf")); err != nil {
		t.Fatal(err)
	}
	select {
	case <-changed:
	case <-time.After(10 * time.Second):
		t.Fatal("no notification of a file written and renamed into the directory")
	}
}

func TestWatchWithoutDirectories(t *testing.T) {
	t.Parallel()
	if _, err := Watch(t.Context(), filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("Watch of no existing directory succeeded")
	}
}
