package config

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/ with the current output")

// checkGolden compares got with testdata/name and shows a unified diff when they differ.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file: %v (run `go test ./config -update` to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (run with -update if the change is intended):\n%s", path, unifiedDiff(path, string(want), string(got)))
	}
}

// unifiedDiff renders a line diff of want and got in unified format with three lines of context.
func unifiedDiff(name, want, got string) string {
	a, b := splitLines(want), splitLines(got)
	ops := diffLines(a, b)
	var out strings.Builder
	fmt.Fprintf(&out, "--- %s (want)\n+++ %s (got)\n", name, name)
	const context = 3
	for start := 0; start < len(ops); {
		for start < len(ops) && ops[start].kind == ' ' {
			start++
		}
		if start == len(ops) {
			break
		}
		from := max(start-context, 0)
		end, lastChange := start, start
		for end < len(ops) && end-lastChange <= 2*context {
			if ops[end].kind != ' ' {
				lastChange = end
			}
			end++
		}
		end = min(lastChange+context+1, len(ops))
		aLine, bLine := ops[from].aLine, ops[from].bLine
		var aCount, bCount int
		var body strings.Builder
		for _, op := range ops[from:end] {
			fmt.Fprintf(&body, "%c%s\n", op.kind, op.text)
			if op.kind != '+' {
				aCount++
			}
			if op.kind != '-' {
				bCount++
			}
		}
		fmt.Fprintf(&out, "@@ -%d,%d +%d,%d @@\n%s", aLine+1, aCount, bLine+1, bCount, body.String())
		start = end
	}
	return out.String()
}

type diffOp struct {
	kind         byte // ' ', '-' or '+'
	text         string
	aLine, bLine int
}

// diffLines computes a shortest edit script through the longest common subsequence.
func diffLines(a, b []string) []diffOp {
	lcs := make([][]int, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var ops []diffOp
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			ops = append(ops, diffOp{' ', a[i], i, j})
			i, j = i+1, j+1
		case i < len(a) && (j == len(b) || lcs[i+1][j] >= lcs[i][j+1]):
			ops = append(ops, diffOp{'-', a[i], i, j})
			i++
		default:
			ops = append(ops, diffOp{'+', b[j], i, j})
			j++
		}
	}
	return ops
}

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

func TestUnifiedDiff(t *testing.T) {
	t.Parallel()
	got := unifiedDiff("f", "a\nb\nc\n", "a\nx\nc\n")
	want := "--- f (want)\n+++ f (got)\n@@ -1,3 +1,3 @@\n a\n-b\n+x\n c\n"
	if got != want {
		t.Errorf("unifiedDiff:\n%s\nwant:\n%s", got, want)
	}
}
