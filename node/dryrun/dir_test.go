package dryrun

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// unset is an environment variable no test sets.
const unset = "KADM_TEST_DRYRUN_DIR_UNSET"

func mode(t *testing.T, path string) os.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

// TestOwnDirectory: without the variable, the run's directory is made in
// parent with its missing parents, private to root, and removed by Close
// with what was written there and the parents it made; what was there
// before stays.
func TestOwnDirectory(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	parent := filepath.Join(base, "etc", "kubernetes", "tmp")
	d, err := Open(t.Context(), unset, parent, "kubeadm-init-dryrun")
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(d.Root) != parent || !strings.HasPrefix(filepath.Base(d.Root), "kubeadm-init-dryrun") || d.Env != "" {
		t.Fatalf("directory %q (from %q), want kubeadm-init-dryrun* in %s", d.Root, d.Env, parent)
	}
	for _, p := range []string{filepath.Join(base, "etc"), parent, d.Root} {
		if got := mode(t, p); got != Mode {
			t.Errorf("%s has mode %04o, want %04o", p, got, Mode)
		}
	}
	key := d.Path("/etc/kubernetes/pki/ca.key")
	if key != filepath.Join(d.Root, "etc/kubernetes/pki/ca.key") {
		t.Errorf("Path = %s", key)
	}
	if err := os.MkdirAll(filepath.Dir(key), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(key, []byte("key"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(base)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 0 {
		t.Errorf("Close left %v in %s", entries, base)
	}
	if err := d.Close(); err != nil {
		t.Errorf("a second Close: %v", err)
	}
}

func TestOwnDirectoryKeepsExistingParents(t *testing.T) {
	t.Parallel()
	parent := filepath.Join(t.TempDir(), "tmp")
	if err := os.Mkdir(parent, 0o700); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(parent, "backup")
	if err := os.Mkdir(other, 0o700); err != nil {
		t.Fatal(err)
	}
	d, err := Open(t.Context(), unset, parent, "kubeadm-join-dryrun")
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(other); err != nil {
		t.Errorf("Close removed what it did not make: %v", err)
	}
	if _, err := os.Stat(d.Root); !os.IsNotExist(err) {
		t.Errorf("the run's directory is still there: %v", err)
	}
}

// The operator's directory is used as it is, made if missing, refused when
// others may open it, and kept at the end.
func TestChosenDirectory(t *testing.T) {
	const env = "KADM_TEST_DRYRUN_DIR"
	base := t.TempDir()
	shared := filepath.Join(base, "shared")
	if err := os.Mkdir(shared, 0o755); err != nil {
		t.Fatal(err)
	}
	private := filepath.Join(base, "private")
	if err := os.Mkdir(private, 0o700); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(base, "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, value, wantErr string
	}{
		{"missing: made private", filepath.Join(base, "new", "dir"), ""},
		{"private already, as mktemp -d makes it", private, ""},
		{"readable by others", shared, "may be opened by other users"},
		{"a file", file, "is not a directory"},
		{"relative", "dryrun", "is not an absolute path"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(env, tt.value)
			d, err := Open(t.Context(), env, filepath.Join(base, "unused"), "kubeadm-init-dryrun")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), env) {
					t.Fatalf("Open = %v, want an error naming %s and containing %q", err, env, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d.Root != tt.value || d.Env != env {
				t.Errorf("directory %q from %q, want %q from %s", d.Root, d.Env, tt.value, env)
			}
			if got := mode(t, d.Root); got != Mode {
				t.Errorf("mode %04o, want %04o", got, Mode)
			}
			if err := d.Close(); err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(d.Root); err != nil {
				t.Errorf("the operator's directory was removed: %v", err)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(base, "unused")); !os.IsNotExist(err) {
		t.Errorf("a directory was made in the default parent although %s was set", env)
	}
	if got := mode(t, shared); got != 0o755 {
		t.Errorf("the refused directory's mode changed to %04o", got)
	}
}
