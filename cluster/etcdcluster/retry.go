package etcdcluster

import (
	"context"
	"errors"
	"fmt"
	"time"

	"k8s.io/klog/v2"

	"github.com/kadm-project/kadm/internal/backoff"
)

const (
	// The pauses between two attempts at an etcd call start short (a
	// learner catches up, a leader is elected, within moments) and grow to
	// kubeadm's fixed half second.
	firstRetry    = 20 * time.Millisecond
	retryInterval = 500 * time.Millisecond
	// attemptTimeout bounds one attempt, so that a member that does not
	// answer (the client waits for a connection) cannot hold up the retries.
	attemptTimeout = 5 * time.Second
)

// permanentError marks a failure that another attempt would only repeat.
type permanentError struct{ err error }

func (p permanentError) Error() string { return p.err.Error() }
func (p permanentError) Unwrap() error { return p.err }

func permanent(err error) error { return permanentError{err} }

func isPermanent(err error) bool {
	_, ok := errors.AsType[permanentError](err)
	return ok
}

// cutShort tells whether err only says that the attempt's time ran out.
func cutShort(err error) bool {
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)
}

// retry runs try until it succeeds, fails for good or ctx is done; each
// attempt has its own deadline. etcd's errors while a member starts, a
// leader is elected or a learner catches up all look alike, so every error
// not marked permanent is tried again. When ctx ends, the error is that of
// the last attempt that ran its course: one cut short says nothing.
func retry(ctx context.Context, op string, try func(context.Context) error) error {
	var last error
	b := backoff.New(firstRetry, retryInterval)
	for {
		actx, cancel := context.WithTimeout(ctx, attemptTimeout)
		err := try(actx)
		cancel()
		switch {
		case err == nil:
			return nil
		case isPermanent(err):
			return err
		case ctx.Err() != nil:
			if last == nil || !cutShort(err) {
				last = err
			}
			return gaveUp(ctx, last)
		case errors.Is(err, context.DeadlineExceeded):
			// The client waits for a connection until the deadline, so
			// this is all it says about a member that is down.
			err = fmt.Errorf("%w (no answer within %s: is etcd running there, and reachable?)", err, attemptTimeout)
		}
		last = err
		klog.V(2).Infof("[etcd] %s: %v; retrying", op, err)
		if b.Wait(ctx) != nil {
			return gaveUp(ctx, last)
		}
	}
}

func gaveUp(ctx context.Context, err error) error {
	if cause := context.Cause(ctx); !errors.Is(cause, context.DeadlineExceeded) {
		return fmt.Errorf("%w (stopped: %v)", err, cause)
	}
	return fmt.Errorf("%w (gave up at the deadline)", err)
}
