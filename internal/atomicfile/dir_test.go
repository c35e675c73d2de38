package atomicfile

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func perm(t *testing.T, path string) os.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

// TestDirUnderHostileUmask runs without t.Parallel: the umask is the
// process's, and sequential tests run while no parallel test does.
func TestDirUnderHostileUmask(t *testing.T) {
	for _, umask := range []int{0o000, 0o077, 0o277, 0o777} {
		for _, mode := range []os.FileMode{0o755, 0o700} {
			dir := t.TempDir()
			target := filepath.Join(dir, "kubernetes", "pki", "etcd")
			old := syscall.Umask(umask)
			err := Dir(target, mode)
			syscall.Umask(old)
			if err != nil {
				t.Fatalf("umask %04o: Dir: %v", umask, err)
			}
			for _, p := range []string{filepath.Join(dir, "kubernetes"), filepath.Join(dir, "kubernetes", "pki"), target} {
				if got := perm(t, p); got != mode {
					t.Errorf("umask %04o: %s has mode %04o, want %04o", umask, p, got, mode)
				}
			}
		}
	}
}

func TestDirCorrectsAnExistingMode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		existing os.FileMode
		want     os.FileMode
	}{
		{"too open", 0o777, 0o755},
		{"too narrow, as a umask of 077 leaves it", 0o700, 0o755},
		{"private directory readable by others", 0o755, 0o700},
		{"right already", 0o755, 0o755},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "pki")
			if err := os.Mkdir(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(dir, tt.existing); err != nil {
				t.Fatal(err)
			}
			if err := Dir(dir, tt.want); err != nil {
				t.Fatal(err)
			}
			if got := perm(t, dir); got != tt.want {
				t.Errorf("mode %04o, want %04o", got, tt.want)
			}
		})
	}
}

// A directory kadm does not own keeps its mode; one others may write to
// is refused rather than used or changed.
func TestDirLeavesOthersDirectories(t *testing.T) {
	t.Parallel()
	if os.Geteuid() != 0 {
		t.Skip("needs root to give a directory to another user")
	}
	tests := []struct {
		name    string
		mode    os.FileMode
		chown   bool
		wantErr string
	}{
		{"shared with the sticky bit, like /tmp", os.ModeSticky | 0o777, false, "writable by other users"},
		{"another user's, private", 0o700, true, ""},
		{"another user's, writable by all", 0o777, true, "writable by other users"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "shared")
			if err := os.Mkdir(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(dir, tt.mode); err != nil {
				t.Fatal(err)
			}
			if tt.chown {
				if err := os.Chown(dir, 65534, 65534); err != nil {
					t.Fatal(err)
				}
			}
			err := Dir(dir, 0o755)
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("Dir = %v, want error containing %q", err, tt.wantErr)
			}
			fi, statErr := os.Stat(dir)
			if statErr != nil {
				t.Fatal(statErr)
			}
			if fi.Mode()&(os.ModePerm|os.ModeSticky) != tt.mode {
				t.Errorf("mode changed to %v, want %v kept", fi.Mode(), tt.mode)
			}
		})
	}
}

func TestDirRefusesAFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "pki")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Dir(path, 0o755); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Fatalf("Dir over a file = %v", err)
	}
}
