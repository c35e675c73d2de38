// Package golden checks test output against the expected files kept under a package's testdata/.
// `go test ./pkg -update` rewrites those files, so a change in output is reviewed as a diff of them.
package golden
