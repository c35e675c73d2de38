// Package app is kadm's command line: the cobra command tree, option structs
// and flag binding, output formats and the mapping of errors to exit codes.
package app
