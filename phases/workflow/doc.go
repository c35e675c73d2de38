// Package workflow runs a tree of named phases over one typed data value and
// turns that tree into cobra commands: `<cmd> phase <name>`, --skip-phases and
// the ordered phase list at the top of `<cmd> --help`.
package workflow
