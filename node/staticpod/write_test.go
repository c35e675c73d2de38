package staticpod

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWrite(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "manifests")
	pod := testPod("registry.k8s.io/kube-scheduler:v1.37.2")

	path, written, err := Write(dir, pod)
	if err != nil || !written {
		t.Fatalf("first Write() = %v, %v; want the file written", written, err)
	}
	if path != filepath.Join(dir, "kube-scheduler.yaml") {
		t.Errorf("path = %s", path)
	}
	assertMode(t, dir, DirMode)
	assertMode(t, path, ManifestMode)
	back, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if !Equal(back, pod) {
		t.Errorf("the manifest read back differs from the Pod written")
	}
	if names := []string{back.Spec.Volumes[0].Name, back.Spec.Volumes[1].Name}; names[0] != "a-first" {
		t.Errorf("volumes %v are not sorted by name", names)
	}

	before, _ := os.Stat(path)
	if _, written, err = Write(dir, pod); err != nil || written {
		t.Errorf("rerun Write() = %v, %v; want the unchanged manifest kept", written, err)
	}
	after, _ := os.Stat(path)
	if !os.SameFile(before, after) {
		t.Error("rerun replaced an unchanged manifest")
	}

	// A different Pod, or the same one with a loose mode, is written again.
	if _, written, err = Write(dir, testPod("registry.k8s.io/kube-scheduler:v1.37.3")); err != nil || !written {
		t.Errorf("Write() of a changed Pod = %v, %v; want it written", written, err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, written, err = Write(dir, testPod("registry.k8s.io/kube-scheduler:v1.37.3")); err != nil || !written {
		t.Errorf("Write() over a 0644 manifest = %v, %v; want it rewritten", written, err)
	}
	assertMode(t, path, ManifestMode)
}

func TestWriteReplacesGarbage(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := Path(dir, "kube-scheduler")
	if err := os.WriteFile(path, []byte("{not yaml"), ManifestMode); err != nil {
		t.Fatal(err)
	}
	if _, written, err := Write(dir, testPod("x")); err != nil || !written {
		t.Fatalf("Write() = %v, %v; want the broken manifest replaced", written, err)
	}
	if _, err := Read(path); err != nil {
		t.Errorf("Read() after Write() = %v", err)
	}
}

func TestDecodeRejectsOtherKinds(t *testing.T) {
	t.Parallel()
	for _, doc := range []string{"apiVersion: v1\nkind: Service\n", "kind: Pod\n", "[1, 2]"} {
		if _, err := Decode([]byte(doc)); err == nil {
			t.Errorf("Decode(%q) succeeded, want an error", doc)
		}
	}
	if _, err := Read(filepath.Join(t.TempDir(), "missing.yaml")); err == nil || !strings.Contains(err.Error(), "read static Pod manifest") {
		t.Errorf("Read(missing) error = %v", err)
	}
}

func assertMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := info.Mode().Perm(); got != want {
		t.Errorf("%s has mode %v, want %v", path, got, want)
	}
}
