package framework

import (
	"context"
	"errors"
	"fmt"
	"time"
)

type permanentError struct{ err error }

func (e permanentError) Error() string { return e.err.Error() }
func (e permanentError) Unwrap() error { return e.err }

// Permanent marks an error that retrying cannot fix: WaitFor stops at once.
func Permanent(err error) error { return permanentError{err} }

// WaitFor calls check every interval until it returns nil, returns a
// Permanent error, or timeout passes. Tests wait with it instead of
// sleeping: the error names what was awaited and how the last check failed.
func WaitFor(ctx context.Context, timeout, interval time.Duration, what string, check func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	start := time.Now()
	for {
		err := check(ctx)
		if err == nil {
			return nil
		}
		var perm permanentError
		if errors.As(err, &perm) {
			return fmt.Errorf("waiting for %s: %w", what, perm.err)
		}
		t := time.NewTimer(interval)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("timed out after %s waiting for %s: %w", time.Since(start).Round(time.Millisecond), what, err)
		case <-t.C:
		}
	}
}
