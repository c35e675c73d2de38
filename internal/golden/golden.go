package golden

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

// update is registered once here so that every test package importing golden
// accepts -update without declaring a flag of its own; a second declaration of
// the same name would panic. Only _test.go files import this package, which
// keeps the flag out of kadm's own command line.
var update = flag.Bool("update", false, "rewrite the golden files under testdata/ with the current output")

// Assert fails t with a unified diff when got differs from the golden file at
// path (relative to the package directory, e.g. testdata/coredns.yaml). With
// -update it writes got to path instead, so regenerating the expected output
// and reviewing it with git diff is one step.
func Assert(t testing.TB, path string, got []byte) {
	t.Helper()
	check(t, path, got, *update)
}

// check is Assert with the -update decision passed in, so both modes can be
// tested without touching the flag.
func check(t testing.TB, path string, got []byte, rewrite bool) {
	t.Helper()
	if rewrite {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatalf("create golden file directory: %v", err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatalf("write golden file: %v", err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file: %v (run `%s` to create it)", err, updateCommand())
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (-want +got; run `%s` if the change is intended):\n%s",
			path, updateCommand(), Diff(path, string(want), string(got)))
	}
}

// updateCommand names the go test invocation that rewrites the current
// package's golden files, relative to the module root so it can be pasted
// there. go test runs a package's tests in its directory, which is what the
// working directory tells.
func updateCommand() string {
	const fallback = "go test -update"
	dir, err := os.Getwd()
	if err != nil {
		return fallback
	}
	for root := dir; ; root = filepath.Dir(root) {
		if _, err := os.Stat(filepath.Join(root, "go.mod")); err == nil {
			rel, err := filepath.Rel(root, dir)
			if err != nil {
				return fallback
			}
			if rel == "." {
				return "go test . -update"
			}
			return "go test ./" + filepath.ToSlash(rel) + " -update"
		}
		if filepath.Dir(root) == root {
			return fallback
		}
	}
}
