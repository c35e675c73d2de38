package kubelet

import (
	"os"
	"path/filepath"
	"testing"
)

func TestWriteFile(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		existing bool
	}{
		{name: "creates the directory"},
		{name: "replaces an existing file", existing: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "kubelet")
			if tt.existing {
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, ConfigFileName), []byte("old, longer content\n"), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			if err := WriteFile(dir, ConfigFileName, []byte("new\n")); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, ConfigFileName)
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != "new\n" {
				t.Errorf("content = %q, want %q", got, "new\n")
			}
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm() != 0o644 {
				t.Errorf("file mode = %v, want 0644", fi.Mode().Perm())
			}
			di, err := os.Stat(dir)
			if err != nil {
				t.Fatal(err)
			}
			wantDir := os.FileMode(0o700)
			if tt.existing {
				wantDir = 0o755 // an existing directory keeps its mode
			}
			if di.Mode().Perm() != wantDir {
				t.Errorf("directory mode = %v, want %v", di.Mode().Perm(), wantDir)
			}
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			if len(entries) != 1 {
				t.Errorf("directory holds %d entries, want only %s (no temporary files left)", len(entries), ConfigFileName)
			}
		})
	}
}
