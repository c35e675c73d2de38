package patches

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestSubdirectories follows kubeadm, which walks the directory tree: a
// subdirectory's files apply after the files that sort before it.
func TestSubdirectories(t *testing.T) {
	t.Parallel()
	s := mustLoad(t, map[string]string{
		"a/etcd+merge.yaml": `{"metadata": {"annotations": {"from": "a"}}}`,
		"b.yaml":            "not a target",
		"etcd.yaml":         `{"metadata": {"annotations": {"from": "top"}}}`,
	})
	want := []string{"a/etcd+merge.yaml", "etcd.yaml"}
	if diff := cmp.Diff(want, s.Files()); diff != "" {
		t.Errorf("Files() (-want +got):\n%s", diff)
	}
}

func TestIgnored(t *testing.T) {
	t.Parallel()
	s := mustLoad(t, map[string]string{
		"README.md":           "# patches",
		"etcd.yml":            "metadata: {}",
		"kube-apiserver.yaml": "",
		"scheduler.yaml":      "metadata: {}",
		"etcd.yaml":           "# only a comment\n---\n",
	})
	var got []string
	for _, ig := range s.Ignored() {
		got = append(got, ig.File+": "+ig.Reason)
		if ig.Empty != (ig.File == "kube-apiserver.yaml") {
			t.Errorf("%s: Empty = %v", ig.File, ig.Empty)
		}
	}
	want := []string{
		"README.md: the file extension must be one of [json yaml]",
		"etcd.yml: the file extension must be one of [json yaml]",
		"kube-apiserver.yaml: the file is empty",
		"scheduler.yaml: unknown target, must be one of [etcd kube-apiserver kube-controller-manager kube-scheduler kubeletconfiguration corednsdeployment kubeproxydaemonset]",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Ignored() (-want +got):\n%s", diff)
	}
	// A file of comments is a patch file without patches: it changes nothing.
	if s.Has(TargetEtcd) {
		t.Error("Has(etcd) = true for a file holding only a comment")
	}
}

// TestMalformed checks that every kind of broken file is reported by name
// when the directory is read, before anything is generated.
func TestMalformed(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, file, content, want string
	}{
		{"invalid YAML", "kube-apiserver.yaml", "spec: [unclosed", `patch file "kube-apiserver.yaml": document 1 is neither YAML nor JSON`},
		{"second document", "etcd+merge.yaml", "metadata: {}\n---\nspec: {a: [}\n", `patch file "etcd+merge.yaml": document 2`},
		{"JSON patch that is an object", "etcd+json.yaml", "metadata: {}", `patch file "etcd+json.yaml": document 1: not a JSON patch`},
		{"strategic patch that is a list", "etcd.yaml", "- a\n- b\n", `patch file "etcd.yaml": document 1: a strategic patch must be an object`},
		{"unknown patch type", "etcd+foo.yaml", "metadata: {}", `patch file "etcd+foo.yaml": unknown or missing patch type`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Load(writeDir(t, map[string]string{tt.file: tt.content}))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Load() error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestLoadDirectoryErrors(t *testing.T) {
	t.Parallel()
	dir := writeDir(t, map[string]string{"etcd.yaml": "metadata: {}"})
	for _, path := range []string{dir + "/missing", dir + "/etcd.yaml"} {
		if _, err := Load(path); err == nil || !strings.Contains(err.Error(), "patches directory") {
			t.Errorf("Load(%s) error = %v, want one about the patches directory", path, err)
		}
	}
}
