// Package helptree holds the conformance test of kadm's command line: it
// walks the help of kadm and of upstream kubeadm v1.37.2, command by
// command, and fails on any difference that testdata/intended.txt does not
// list with its reason.
package helptree
