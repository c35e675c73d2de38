package discovery

import (
	"context"
	"time"

	"github.com/kadm-project/kadm/internal/backoff"
)

// Discovery's retries start at a fraction of a second, so a server that is
// nearly up is found quickly, and grow to a few seconds, so a long outage is
// not hammered by every joining node.
const (
	backoffInitial = 200 * time.Millisecond
	backoffMax     = 2500 * time.Millisecond
)

// retry calls attempt until it is done or ctx ends. attempt returns done=false with the
// error that made it retry; when ctx ends first, retry returns timedOut=true and
// that last error so the caller can say what it was waiting for.
func retry(ctx context.Context, attempt func() (done bool, err error)) (timedOut bool, err error) {
	b := backoff.New(backoffInitial, backoffMax)
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
		if b.Wait(ctx) != nil {
			return true, last
		}
	}
}
