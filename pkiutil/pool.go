package pkiutil

import (
	"context"
	"crypto"
	"runtime"
	"sync"
	"sync/atomic"
)

// maxWarm bounds the keys of one algorithm a pool makes or holds at a time;
// kubeadm's whole certificate tree needs eleven.
const maxWarm = 32

// KeyPool generates private keys ahead of need. Key generation (RSA above
// all) is most of the time `init phase certs all` takes, and each phase
// needs its key only after the previous one is done, so the parent phase
// warms the pool and its children take keys that are already made or being
// made on other cores. Keys never leave the pool twice. A nil *KeyPool is
// valid and generates every key on demand.
type KeyPool struct {
	generate func(KeyAlgorithm) (crypto.Signer, error)
	// slots bounds the keys being generated at once to the cores Go may use,
	// so that warming never starves the phase that waits for a key.
	slots chan struct{}
	// queued counts warmed keys waiting for a slot.
	queued atomic.Int32

	mu     sync.Mutex
	queues map[KeyAlgorithm]*keyQueue
}

// keyQueue holds the results promised for one algorithm. Every generating
// goroutine sends exactly one result. pending counts the results no Get has
// claimed; outstanding counts those not yet received, and never exceeds
// the channel's capacity, so no sender ever blocks.
type keyQueue struct {
	ready       chan keyResult
	pending     int
	outstanding int
}

type keyResult struct {
	key crypto.Signer
	err error
}

// NewKeyPool returns an empty pool that generates keys with NewPrivateKey.
func NewKeyPool() *KeyPool {
	return newKeyPool(NewPrivateKey, runtime.GOMAXPROCS(0))
}

func newKeyPool(generate func(KeyAlgorithm) (crypto.Signer, error), slots int) *KeyPool {
	return &KeyPool{
		generate: generate,
		slots:    make(chan struct{}, slots),
		queues:   map[KeyAlgorithm]*keyQueue{},
	}
}

// queue returns alg's queue; p.mu must be held.
func (p *KeyPool) queue(alg KeyAlgorithm) *keyQueue {
	q := p.queues[alg]
	if q == nil {
		q = &keyQueue{ready: make(chan keyResult, maxWarm)}
		p.queues[alg] = q
	}
	return q
}

// Warm starts generating n keys of alg in the background and returns at
// once. Keys not yet started when ctx ends are never made.
func (p *KeyPool) Warm(ctx context.Context, alg KeyAlgorithm, n int) {
	if p == nil || n <= 0 {
		return
	}
	p.mu.Lock()
	q := p.queue(alg)
	n = min(n, maxWarm-q.outstanding)
	q.pending += n
	q.outstanding += n
	p.queued.Add(int32(n))
	p.mu.Unlock()
	for range n {
		go func() {
			select {
			case p.slots <- struct{}{}:
				p.queued.Add(-1)
			case <-ctx.Done():
				p.queued.Add(-1)
				q.ready <- keyResult{err: context.Cause(ctx)}
				return
			}
			if err := ctx.Err(); err != nil {
				q.ready <- keyResult{err: context.Cause(ctx)}
			} else {
				p.run(q, alg)
			}
			<-p.slots
		}()
	}
}

// run generates one key into q. The caller holds a slot and frees it only
// after the key is sent, so a free slot never hides a key about to arrive.
func (p *KeyPool) run(q *keyQueue, alg KeyAlgorithm) {
	k, err := p.generate(alg)
	q.ready <- keyResult{key: k, err: err}
}

// Get returns a key of alg: the first one the pool finishes when keys of alg
// were warmed and are left, otherwise a new one generated at once. A key the
// pool failed to make is replaced by a new one, so warming can only speed
// Get up, never make it fail.
func (p *KeyPool) Get(ctx context.Context, alg KeyAlgorithm) (crypto.Signer, error) {
	if p == nil {
		return NewPrivateKey(alg)
	}
	p.mu.Lock()
	q := p.queues[alg]
	if q == nil || q.pending == 0 {
		p.mu.Unlock()
		return p.generate(alg)
	}
	q.pending--
	p.mu.Unlock()
	select {
	case r := <-q.ready:
		return p.received(q, alg, r)
	default:
	}
	p.race(q, alg)
	select {
	case r := <-q.ready:
		return p.received(q, alg, r)
	case <-ctx.Done():
		// The claimed result still arrives; give it back to the next Get.
		p.mu.Lock()
		q.pending++
		p.mu.Unlock()
		return nil, context.Cause(ctx)
	}
}

// race starts one more key when a core would otherwise idle while Get waits:
// no warmed key is queued and a slot is free. Key generation times vary a
// lot, so the last keys finish sooner when two are made at once; whichever
// arrives first is taken and the other stays in the pool.
func (p *KeyPool) race(q *keyQueue, alg KeyAlgorithm) {
	if p.queued.Load() > 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if q.outstanding >= maxWarm {
		return
	}
	select {
	case p.slots <- struct{}{}:
	default:
		return
	}
	q.pending++
	q.outstanding++
	go func() {
		p.run(q, alg)
		<-p.slots
	}()
}

func (p *KeyPool) received(q *keyQueue, alg KeyAlgorithm, r keyResult) (crypto.Signer, error) {
	p.mu.Lock()
	q.outstanding--
	p.mu.Unlock()
	if r.err != nil {
		return p.generate(alg)
	}
	return r.key, nil
}
