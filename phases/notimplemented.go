package phases

import (
	"errors"
	"fmt"
)

// ErrNotImplemented marks a phase whose work has not landed yet. It is an
// error, never a silent success, so no script mistakes a stub for a done step.
var ErrNotImplemented = errors.New("not implemented yet")

// NotImplemented is the error of a phase whose work arrives with a later issue.
func NotImplemented(what string, issue int) error {
	return fmt.Errorf("%s: %w in kadm (tracked in issue #%d)", what, ErrNotImplemented, issue)
}
