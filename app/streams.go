package app

import "io"

// IOStreams are the command line's standard streams; nothing in kadm writes
// to os.Stdout or os.Stderr directly, so tests can run the whole CLI.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
}
