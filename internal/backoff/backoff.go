// Package backoff spaces the attempts of kadm's waits: short at first, so a
// wait ends within moments of what it waits for, growing to a cap so that a
// long wait does not hammer what it asks, and jittered so that many nodes
// waiting at once do not ask in lockstep.
package backoff

import (
	"context"
	"math/rand/v2"
	"time"
)

// factor is how much each pause grows; jitter how much one may vary.
const (
	factor = 1.6
	jitter = 0.2
)

// Backoff yields the pauses of one wait. Its zero value is not usable: make
// one with New.
type Backoff struct {
	next, max time.Duration
}

// New starts a wait whose first pause is about first and whose pauses grow
// to about max (jitter puts a pause up to a fifth either side).
func New(first, max time.Duration) *Backoff {
	return &Backoff{next: min(first, max), max: max}
}

// Next returns the next pause and grows the one after it.
func (b *Backoff) Next() time.Duration {
	d := b.next
	d += time.Duration((rand.Float64()*2 - 1) * jitter * float64(d))
	b.next = min(time.Duration(float64(b.next)*factor), b.max)
	return d
}

// Wait sleeps for the next pause or until ctx ends, whichever comes first;
// it returns ctx's error in the second case.
func (b *Backoff) Wait(ctx context.Context) error {
	t := time.NewTimer(b.Next())
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
