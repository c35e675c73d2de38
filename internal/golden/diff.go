package golden

import "github.com/kadm-project/kadm/internal/udiff"

// Diff renders want and got as a unified diff labelled with name, with three lines of
// context, as diff -u: Assert uses it for mismatches; tests comparing two outputs in
// memory can use it too.
func Diff(name, want, got string) string {
	return udiff.Unified(name+" (want)", name+" (got)", want, got, 3)
}
