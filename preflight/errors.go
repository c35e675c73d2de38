package preflight

import "errors"

// ErrChecksFailed is wrapped by the error of a preflight run with errors that
// were not ignored, so the CLI can give it its own exit code.
var ErrChecksFailed = errors.New("preflight checks failed")
