package staticpod

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kadm-project/kadm/node/patches"
)

func loadPatches(t *testing.T, files map[string]string) *patches.Set {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s, err := patches.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestPatch(t *testing.T) {
	t.Parallel()
	pod := testPod("registry.k8s.io/kube-scheduler:v1.37.2")
	set := loadPatches(t, map[string]string{
		"kube-scheduler+json.yaml": "- op: add\n  path: /spec/containers/0/command/-\n  value: --v=2\n",
		"kube-apiserver.yaml":      "metadata: {labels: {x: y}}\n",
	})
	got, applied, err := Patch(pod, set)
	if err != nil {
		t.Fatal(err)
	}
	if len(applied) != 1 || applied[0].Target != "kube-scheduler" {
		t.Errorf("applied = %v, want the one kube-scheduler patch", applied)
	}
	if cmd := got.Spec.Containers[0].Command; cmd[len(cmd)-1] != "--v=2" {
		t.Errorf("command = %v, want --v=2 added", cmd)
	}
	if _, ok := got.Labels["x"]; ok {
		t.Error("the kube-apiserver patch reached kube-scheduler")
	}
	if len(pod.Spec.Containers[0].Command) != 2 {
		t.Error("Patch() changed the Pod it was given")
	}

	for _, set := range []*patches.Set{nil, loadPatches(t, nil)} {
		same, applied, err := Patch(pod, set)
		if err != nil || same != pod || applied != nil {
			t.Errorf("Patch() without patches = %p, %v, %v; want the Pod itself", same, applied, err)
		}
	}
}

func TestPatchKeepsIdentity(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, patch, want string }{
		{"rename", "metadata: {name: other}", "may not change"},
		{"namespace", "metadata: {namespace: default}", "may not change"},
		{"kind", `{"kind": "Deployment"}`, "may not change"},
		{"unknown field", "spec: {containerz: []}", "do not leave a valid kube-scheduler Pod"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			set := loadPatches(t, map[string]string{"kube-scheduler+merge.yaml": tt.patch})
			_, _, err := Patch(testPod("x"), set)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Patch() error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}
