package patches

import (
	"os"
	"path/filepath"
	"testing"

	"sigs.k8s.io/yaml"
)

// writeDir creates a patches directory holding files (name -> content).
func writeDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func mustLoad(t *testing.T, files map[string]string) *Set {
	t.Helper()
	s, err := Load(writeDir(t, files))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// decode turns the JSON that Apply returns into a generic value to inspect.
func decode(t *testing.T, data []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := yaml.Unmarshal(data, &m); err != nil {
		t.Fatalf("decode %s: %v", data, err)
	}
	return m
}

// podYAML is the shape of a generated static Pod, trimmed to what the
// tests patch.
const podYAML = `apiVersion: v1
kind: Pod
metadata:
  name: kube-apiserver
  namespace: kube-system
  labels:
    component: kube-apiserver
spec:
  containers:
  - name: kube-apiserver
    image: registry.k8s.io/kube-apiserver:v1.37.2
    command:
    - kube-apiserver
    - --secure-port=6443
    resources:
      requests:
        cpu: 250m
  - name: sidecar
    image: example.com/sidecar:1
`
