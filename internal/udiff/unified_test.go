package udiff

import (
	"fmt"
	"strings"
	"testing"
)

func TestUnified(t *testing.T) {
	t.Parallel()
	const header = "--- f (want)\n+++ f (got)\n"
	tests := []struct {
		name, want, got, diff string
	}{
		{"equal input has no hunks", "a\n", "a\n", ""},
		{"changed line", "a\nb\nc\n", "a\nx\nc\n", "@@ -1,3 +1,3 @@\n a\n-b\n+x\n c\n"},
		{"added and removed lines", "a\nb\nc\n", "b\nc\nd\n", "@@ -1,3 +1,3 @@\n-a\n b\n c\n+d\n"},
		{"empty want", "", "a\nb\n", "@@ -0,0 +1,2 @@\n+a\n+b\n"},
		{"empty got", "a\n", "", "@@ -1 +0,0 @@\n-a\n"},
		{"missing final newline", "a\n", "a", "@@ -1 +1 @@\n-a\n+a\n\\ No newline at end of file\n"},
		{
			"changes six lines apart share a hunk", numbered(20), numbered(20, 5, 12),
			"@@ -2,14 +2,14 @@\n 2\n 3\n 4\n-5\n+X\n 6\n 7\n 8\n 9\n 10\n 11\n-12\n+X\n 13\n 14\n 15\n",
		},
		{
			"changes seven lines apart get their own hunks", numbered(20), numbered(20, 5, 13),
			"@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+X\n 6\n 7\n 8\n" +
				"@@ -10,7 +10,7 @@\n 10\n 11\n 12\n-13\n+X\n 14\n 15\n 16\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			want := header + tt.diff
			if tt.diff == "" {
				want = ""
			}
			if got := Unified("f (want)", "f (got)", tt.want, tt.got, 3); got != want {
				t.Errorf("Unified:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func TestUnifiedContext(t *testing.T) {
	t.Parallel()
	got := Unified("/etc/kubernetes/manifests/kube-apiserver.yaml", "new manifest", numbered(9), numbered(9, 5), 1)
	want := "--- /etc/kubernetes/manifests/kube-apiserver.yaml\n+++ new manifest\n@@ -4,3 +4,3 @@\n 4\n-5\n+X\n 6\n"
	if got != want {
		t.Errorf("one line of context:\n%s\nwant:\n%s", got, want)
	}
	if got := Unified("a", "b", numbered(9), numbered(9, 5), 0); !strings.HasSuffix(got, "@@ -5 +5 @@\n-5\n+X\n") {
		t.Errorf("no context:\n%s", got)
	}
}

// replaced by "X\n".
func numbered(n int, changed ...int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		line := fmt.Sprint(i)
		for _, c := range changed {
			if c == i {
				line = "X"
			}
		}
		b.WriteString(line + "\n")
	}
	return b.String()
}
