package objects

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	utilnet "k8s.io/apimachinery/pkg/util/net"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/internal/backoff"
)

// DefaultRetryInterval is kubeadm's pause between two attempts of an API
// call, which kadm's pauses grow to.
const DefaultRetryInterval = 500 * time.Millisecond

// firstRetry is kadm's first pause: a conflict or an object that is about
// to appear is usually settled within milliseconds.
const firstRetry = 20 * time.Millisecond

// Policy bounds the attempts at one API operation. Timeout is
// timeouts.kubernetesAPICall from the configuration; Interval is the
// longest pause between two attempts, which start shorter. Zero values take
// kubeadm's defaults so that a zero Policy is usable.
type Policy struct {
	Timeout  time.Duration
	Interval time.Duration
}

func (p Policy) timeout() time.Duration {
	if p.Timeout > 0 {
		return p.Timeout
	}
	return config.DefaultKubernetesAPICallTimeout
}

func (p Policy) interval() time.Duration {
	if p.Interval > 0 {
		return p.Interval
	}
	return DefaultRetryInterval
}

// retryable marks an error the caller expects to go away by itself.
type retryable struct{ err error }

func (r retryable) Error() string { return r.err.Error() }
func (r retryable) Unwrap() error { return r.err }

// Retryable marks err as worth another attempt: a state the caller expects to
// change soon, such as a Node the kubelet has not registered yet. Retry then
// keeps trying until its deadline instead of failing at once.
func Retryable(err error) error {
	if err == nil {
		return nil
	}
	return retryable{err}
}

// IsTransient reports whether err may succeed when tried again: conflicts,
// timeouts, throttling, an API server that is starting or restarting, and
// errors marked with Retryable. Anything else (forbidden, invalid, ...) will
// fail the same way again and is reported at once.
func IsTransient(err error) bool {
	var r retryable
	if errors.As(err, &r) {
		return true
	}
	var netErr net.Error
	switch {
	case apierrors.IsConflict(err), apierrors.IsServerTimeout(err), apierrors.IsTimeout(err),
		apierrors.IsServiceUnavailable(err), apierrors.IsTooManyRequests(err), apierrors.IsInternalError(err):
		return true
	case utilnet.IsConnectionRefused(err), utilnet.IsConnectionReset(err), utilnet.IsProbableEOF(err):
		return true
	case errors.As(err, &netErr) && netErr.Timeout():
		return true
	}
	return false
}

// Retry runs fn until it succeeds, returns an error that is not transient,
// ctx ends or the policy's timeout passes. fn receives a context bounded by
// that timeout, so a hanging request cannot outlive it. The error returned
// when the time is up is fn's last error, saying how long kadm tried; it
// also matches context.DeadlineExceeded, or the cause that ended ctx.
func Retry(parent context.Context, p Policy, fn func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(parent, p.timeout())
	defer cancel()
	b := backoff.New(firstRetry, p.interval())
	for {
		err := fn(ctx)
		if err == nil {
			return nil
		}
		if !IsTransient(err) {
			return err
		}
		if b.Wait(ctx) != nil {
			if parent.Err() != nil {
				return &stopped{last: err, cause: context.Cause(parent)}
			}
			return &stopped{last: err, cause: context.DeadlineExceeded, after: p.timeout()}
		}
	}
}

// stopped is the last error of a Retry that ran out of time or was
// cancelled; it matches both that error and why it stopped.
type stopped struct {
	last  error
	cause error
	// after is the policy's timeout when that is what ended the retries.
	after time.Duration
}

func (s *stopped) Error() string {
	if s.after > 0 {
		return fmt.Sprintf("%v (still failing after %s, timeouts.kubernetesAPICall)", s.last, s.after)
	}
	return fmt.Sprintf("%v (stopped: %v)", s.last, s.cause)
}

func (s *stopped) Unwrap() []error { return []error{s.last, s.cause} }
