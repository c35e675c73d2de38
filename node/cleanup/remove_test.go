package cleanup

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// tree makes files (path -> content) and symbolic links (path -> "@target")
// under dir.
func tree(t *testing.T, dir string, entries map[string]string) {
	t.Helper()
	for p, content := range entries {
		full := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if target, ok := strings.CutPrefix(content, "@"); ok {
			if err := os.Symlink(target, full); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.WriteFile(full, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

func TestRemoveContents(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	owned := filepath.Join(base, "owned")
	outside := filepath.Join(base, "outside")
	tree(t, outside, map[string]string{"keep.txt": "x", "sub/keep.txt": "y"})
	tree(t, owned, map[string]string{
		"a.crt":            "cert",
		"etcd/ca.key":      "key",
		"deep/er/file":     "z",
		"link-to-file":     "@" + filepath.Join(outside, "keep.txt"),
		"link-to-dir":      "@" + filepath.Join(outside, "sub"),
		"deep/link-to-dir": "@" + outside,
	})
	if err := Remove(Target{Path: owned, Contents: true}); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(owned)
	if err != nil {
		t.Fatalf("the directory itself must stay: %v", err)
	}
	if len(entries) != 0 {
		t.Errorf("%d entries left in %s", len(entries), owned)
	}
	for _, p := range []string{"keep.txt", "sub/keep.txt"} {
		if !exists(filepath.Join(outside, p)) {
			t.Errorf("%s outside the owned dir was removed through a link", p)
		}
	}
}

func TestRemoveFile(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	tree(t, base, map[string]string{
		"k8s/admin.conf":   "conf",
		"k8s/kubelet.conf": "@" + filepath.Join(base, "target.conf"),
		"target.conf":      "keep",
	})
	for _, name := range []string{"admin.conf", "kubelet.conf", "missing.conf"} {
		if err := Remove(Target{Path: filepath.Join(base, "k8s", name)}); err != nil {
			t.Errorf("remove %s: %v", name, err)
		}
	}
	if exists(filepath.Join(base, "k8s/admin.conf")) || exists(filepath.Join(base, "k8s/kubelet.conf")) {
		t.Error("a file target is still there")
	}
	if !exists(filepath.Join(base, "target.conf")) {
		t.Error("the target of a link was removed")
	}
}

func TestRemoveRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		setup  func(t *testing.T, base string) Target
		intact string
		want   string
	}{
		{
			name: "owned dir is a link",
			setup: func(t *testing.T, base string) Target {
				tree(t, base, map[string]string{"real/keep": "x", "pki": "@" + filepath.Join(base, "real")})
				return Target{Path: filepath.Join(base, "pki"), Contents: true}
			},
			intact: "real/keep",
			want:   "symbolic link",
		},
		{
			name: "a parent is a link",
			setup: func(t *testing.T, base string) Target {
				tree(t, base, map[string]string{"real/pki/keep": "x", "k8s": "@" + filepath.Join(base, "real")})
				return Target{Path: filepath.Join(base, "k8s", "pki"), Contents: true}
			},
			intact: "real/pki/keep",
			want:   "symbolic link",
		},
		{
			name: "a file's dir is a link",
			setup: func(t *testing.T, base string) Target {
				tree(t, base, map[string]string{"real/admin.conf": "x", "k8s": "@" + filepath.Join(base, "real")})
				return Target{Path: filepath.Join(base, "k8s", "admin.conf")}
			},
			intact: "real/admin.conf",
			want:   "symbolic link",
		},
		{
			name: "a file target that is a directory",
			setup: func(t *testing.T, base string) Target {
				tree(t, base, map[string]string{"admin.conf/keep": "x"})
				return Target{Path: filepath.Join(base, "admin.conf")}
			},
			intact: "admin.conf/keep",
			want:   "is a directory",
		},
		{
			name: "a directory target that is a file",
			setup: func(t *testing.T, base string) Target {
				tree(t, base, map[string]string{"pki": "x"})
				return Target{Path: filepath.Join(base, "pki"), Contents: true}
			},
			intact: "pki",
			want:   "not a directory",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			base := t.TempDir()
			target := tt.setup(t, base)
			err := Remove(target)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Remove = %v, want an error containing %q", err, tt.want)
			}
			if !exists(filepath.Join(base, tt.intact)) {
				t.Errorf("%s was removed", tt.intact)
			}
		})
	}
}

func TestRemoveMissing(t *testing.T) {
	t.Parallel()
	err := Remove(Target{Path: filepath.Join(t.TempDir(), "nothing"), Contents: true})
	if err != nil {
		t.Fatal(err)
	}
}

func TestRemoveReportsFailures(t *testing.T) {
	t.Parallel()
	if os.Geteuid() == 0 {
		t.Skip("root removes files from read-only directories")
	}
	base := t.TempDir()
	tree(t, base, map[string]string{"locked/file": "x", "free/file": "y"})
	if err := os.Chmod(filepath.Join(base, "locked"), 0o500); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(filepath.Join(base, "locked"), 0o700) })
	err := Remove(Target{Path: base, Contents: true})
	if !errors.Is(err, fs.ErrPermission) {
		t.Fatalf("Remove = %v, want a permission error", err)
	}
	if exists(filepath.Join(base, "free")) {
		t.Error("removal stopped at the first failure")
	}
}

func TestPathsFormat(t *testing.T) {
	t.Parallel()
	got := Format(Paths([]Target{{Path: "/a", Contents: true}, {Path: "/b"}}))
	if got != "[/a /b]" {
		t.Errorf("got %q", got)
	}
	if !slices.Equal(Paths(nil), []string{}) {
		t.Error("Paths(nil) is not empty")
	}
}
