package discovery

import (
	"context"
	"math/rand/v2"
	"time"
)

// backoff spaces retries: short at first so a server that is nearly up is found quickly,
// growing to a few seconds so a long outage does not hammer it, jittered so that many
// nodes joining at once do not retry in lockstep.
type backoff struct {
	next time.Duration
}

const (
	backoffInitial = 200 * time.Millisecond
	backoffMax     = 2500 * time.Millisecond
	backoffFactor  = 1.6
	backoffJitter  = 0.2
)

// step returns the next interval and advances.
func (b *backoff) step() time.Duration {
	if b.next == 0 {
		b.next = backoffInitial
	}
	d := b.next
	d += time.Duration((rand.Float64()*2 - 1) * backoffJitter * float64(d))
	b.next = min(time.Duration(float64(b.next)*backoffFactor), backoffMax)
	return d
}

// wait sleeps for the next interval or until ctx ends, whichever is first.
func (b *backoff) wait(ctx context.Context) error {
	t := time.NewTimer(b.step())
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// retry calls attempt until it is done or ctx ends. attempt returns done=false with the
// error that made it retry; when ctx ends first, retry returns timedOut=true and
// that last error so the caller can say what it was waiting for.
func retry(ctx context.Context, attempt func() (done bool, err error)) (timedOut bool, err error) {
	var b backoff
	var last error
	for {
		done, err := attempt()
		if done {
			return false, err
		}
		if ctx.Err() != nil {
			// An attempt the deadline cut short says only that time ran out; the
			// attempt before it says why.
			if last == nil {
				last = err
			}
			return true, last
		}
		last = err
		if b.wait(ctx) != nil {
			return true, last
		}
	}
}
