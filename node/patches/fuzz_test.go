package patches

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// fuzzPod is a document every target's patches are applied to.
const fuzzPod = `apiVersion: v1
kind: Pod
metadata:
  name: etcd
  namespace: kube-system
spec:
  containers:
  - name: etcd
    image: registry.k8s.io/etcd:3.6.5-0
    command: [etcd, --data-dir=/var/lib/etcd]
`

// FuzzLoad feeds one arbitrary patch file, named and filled by the fuzzer,
// to the patches loader, and applies what it accepts to a document of each
// target. Nothing panics, a file the loader takes is either ignored with a
// reason or a patch set, and whatever a patch produces is a JSON object.
func FuzzLoad(f *testing.F) {
	f.Add("etcd.yaml", []byte("spec:\n  containers:\n  - name: etcd\n    image: x\n"))
	f.Add("kube-apiserver+json.json", []byte(`[{"op":"add","path":"/metadata/labels","value":{"a":"b"}}]`))
	f.Add("etcd+merge.yaml", []byte("metadata:\n  labels: null\n---\nspec: {}\n"))
	f.Add("kubeletconfiguration+strategic0.yaml", []byte("maxPods: 10\n"))
	f.Add("corednsdeployment.yaml", []byte("# only a comment\n"))
	f.Add("etcd+bogus.yaml", []byte("{}"))
	f.Add("notes.txt", []byte("not a patch"))
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		if name == "" || name == "." || name == ".." || strings.ContainsAny(name, "/\x00") || len(name) > 200 {
			return
		}
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			return
		}
		set, err := Load(dir)
		if err != nil {
			if !strings.Contains(err.Error(), name) {
				t.Errorf("the error does not name the file %q: %v", name, err)
			}
			return
		}
		if len(set.Files())+len(set.Ignored()) != 1 {
			t.Fatalf("one file became %d patch files and %d ignored ones", len(set.Files()), len(set.Ignored()))
		}
		for _, target := range Targets() {
			out, _, err := set.Apply(target, []byte(fuzzPod))
			if err != nil {
				continue
			}
			var obj map[string]any
			if err := yaml.Unmarshal(out, &obj); err != nil || obj == nil {
				t.Fatalf("patching %s gave %q, not an object (%v)", target, out, err)
			}
		}
	})
}
