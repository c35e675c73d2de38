package app

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kadm-project/kadm/phases/workflow"
)

func TestPatchSetReadOnceAndReported(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	files := map[string]string{
		"kube-apiserver+merge.yaml": "metadata:\n  annotations:\n    a: b\n",
		"etcd.json":                 "",
		"notes.txt":                 "not a patch",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	var out bytes.Buffer
	ctx := workflow.WithReporter(context.Background(), &workflow.TextReporter{Out: &out})
	var p patchSet
	first, err := p.get(ctx, dir)
	if err != nil || first == nil {
		t.Fatalf("first read: %v, %v", first, err)
	}
	second, err := p.get(ctx, dir)
	if err != nil || second != first {
		t.Fatalf("second read returned another set (%p, %p) or %v", first, second, err)
	}
	text := out.String()
	for _, want := range []string{
		`[patches] Reading patches from path "` + dir + `"`,
		`[patches] Ignoring empty file: "etcd.json"`,
		`[patches] Found the following patch files: [kube-apiserver+merge.yaml]`,
	} {
		if strings.Count(text, want) != 1 {
			t.Errorf("output should hold %q once:\n%s", want, text)
		}
	}
	if set, err := (&patchSet{}).get(ctx, ""); set != nil || err != nil {
		t.Errorf("no directory: %v, %v", set, err)
	}
	if _, err := (&patchSet{}).get(ctx, filepath.Join(dir, "missing")); err == nil {
		t.Error("a missing directory was accepted")
	}
}
