// Package udiff renders the difference between two texts as a unified diff (diff -u),
// for golden-file tests and for `upgrade diff`.
package udiff
