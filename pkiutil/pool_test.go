package pkiutil

import (
	"context"
	"crypto"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const p256 = ECDSAP256

// countingGenerator makes real P-256 keys and counts them; the first fail
// calls fail.
type countingGenerator struct {
	calls atomic.Int32
	fail  atomic.Int32
}

func (g *countingGenerator) generate(alg KeyAlgorithm) (crypto.Signer, error) {
	g.calls.Add(1)
	if g.fail.Add(-1) >= 0 {
		return nil, errors.New("entropy ran out")
	}
	return NewPrivateKey(alg)
}

// waitFor polls cond until it holds or ten seconds pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		runtime.Gosched()
	}
}

// readyKeys is how many results of alg have arrived and wait in p.
func readyKeys(p *KeyPool, alg KeyAlgorithm) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if q := p.queues[alg]; q != nil {
		return len(q.ready)
	}
	return 0
}

func TestKeyPoolConcurrentUse(t *testing.T) {
	t.Parallel()
	g := &countingGenerator{}
	p := newKeyPool(g.generate, 2)
	ctx := context.Background()
	const warmers, perWarm, getters = 4, 3, 20
	var wg sync.WaitGroup
	for range warmers {
		wg.Go(func() { p.Warm(ctx, p256, perWarm) })
	}
	var mu sync.Mutex
	seen := map[string]bool{}
	for range getters {
		wg.Go(func() {
			k, err := p.Get(ctx, p256)
			if err != nil {
				t.Error(err)
				return
			}
			pem, err := EncodePublicKeyPEM(k.Public())
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			if seen[string(pem)] {
				t.Error("the pool handed out the same key twice")
			}
			seen[string(pem)] = true
		})
	}
	wg.Wait()
	if len(seen) != getters {
		t.Errorf("%d distinct keys, want %d", len(seen), getters)
	}
	// Every Get is served by a warmed key, one it raced for, or one of its
	// own: never more than one extra key per Get.
	if c := g.calls.Load(); c < getters || c > 2*getters+warmers*perWarm {
		t.Errorf("%d keys generated for %d Gets and %d warmed", c, getters, warmers*perWarm)
	}
}

func TestKeyPoolServesWarmedKeys(t *testing.T) {
	t.Parallel()
	g := &countingGenerator{}
	p := newKeyPool(g.generate, 2)
	ctx := context.Background()
	p.Warm(ctx, p256, 3)
	waitFor(t, "the warmed keys", func() bool { return readyKeys(p, p256) == 3 })
	for range 3 {
		if _, err := p.Get(ctx, p256); err != nil {
			t.Fatal(err)
		}
	}
	if c := g.calls.Load(); c != 3 {
		t.Errorf("%d keys generated, want the 3 warmed ones only", c)
	}
	if _, err := p.Get(ctx, ECDSAP384); err != nil {
		t.Fatal(err)
	}
	if c := g.calls.Load(); c != 4 {
		t.Errorf("%d keys generated, want one more for another algorithm", c)
	}
}

// TestKeyPoolRacesSlowKey: while the one warmed key is stuck and a slot is
// free, Get makes a second key and takes it; the stuck one, once done,
// serves the next Get.
func TestKeyPoolRacesSlowKey(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	var calls atomic.Int32
	p := newKeyPool(func(alg KeyAlgorithm) (crypto.Signer, error) {
		if calls.Add(1) == 1 {
			<-release
		}
		return NewPrivateKey(alg)
	}, 2)
	ctx := context.Background()
	p.Warm(ctx, p256, 1)
	waitFor(t, "the warmed key to start", func() bool { return calls.Load() == 1 })
	if _, err := p.Get(ctx, p256); err != nil {
		t.Fatal(err)
	}
	if c := calls.Load(); c != 2 {
		t.Fatalf("%d keys started, want the stuck one and a racing one", c)
	}
	close(release)
	waitFor(t, "the stuck key", func() bool { return readyKeys(p, p256) == 1 })
	if _, err := p.Get(ctx, p256); err != nil {
		t.Fatal(err)
	}
	if c := calls.Load(); c != 2 {
		t.Errorf("%d keys generated, want the stuck key to serve the second Get", c)
	}
}

// TestKeyPoolNoRaceWithoutFreeCore: with every slot busy, Get waits for
// the pool instead of adding work.
func TestKeyPoolNoRaceWithoutFreeCore(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	var calls atomic.Int32
	p := newKeyPool(func(alg KeyAlgorithm) (crypto.Signer, error) {
		calls.Add(1)
		<-release
		return NewPrivateKey(alg)
	}, 1)
	ctx := context.Background()
	p.Warm(ctx, p256, 1)
	waitFor(t, "the warmed key to start", func() bool { return calls.Load() == 1 })
	go func() {
		// Release the key once Get has claimed it and waits; the deadline
		// keeps a broken pool from hanging the test.
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) {
			p.mu.Lock()
			claimed := p.queues[p256].pending == 0
			p.mu.Unlock()
			if claimed {
				break
			}
			runtime.Gosched()
		}
		close(release)
	}()
	if _, err := p.Get(ctx, p256); err != nil {
		t.Fatal(err)
	}
	if c := calls.Load(); c != 1 {
		t.Errorf("%d keys generated with no free slot, want 1", c)
	}
}

func TestKeyPoolReplacesFailedKeys(t *testing.T) {
	t.Parallel()
	g := &countingGenerator{}
	g.fail.Store(2)
	p := newKeyPool(g.generate, 2)
	ctx := context.Background()
	p.Warm(ctx, p256, 2)
	// Let both warmed keys fail before any Get, so that the Gets' own
	// generation is what succeeds.
	waitFor(t, "the failed keys", func() bool { return readyKeys(p, p256) == 2 })
	for range 2 {
		k, err := p.Get(ctx, p256)
		if err != nil || k == nil {
			t.Fatalf("Get after a failed warm-up: %v", err)
		}
	}
	if c := g.calls.Load(); c != 4 {
		t.Errorf("%d keys generated, want 2 failed and 2 replacements", c)
	}
}

func TestKeyPoolCancelledWarm(t *testing.T) {
	t.Parallel()
	g := &countingGenerator{}
	p := newKeyPool(g.generate, 2)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	p.Warm(ctx, p256, 5)
	waitFor(t, "the cancelled keys", func() bool { return readyKeys(p, p256) == 5 })
	k, err := p.Get(context.Background(), p256)
	if err != nil || k == nil {
		t.Fatalf("Get after a cancelled warm-up: %v", err)
	}
	if c := g.calls.Load(); c != 1 {
		t.Errorf("%d keys generated, want only the one Get made itself", c)
	}
}

func TestKeyPoolCancelledGet(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	var calls atomic.Int32
	p := newKeyPool(func(alg KeyAlgorithm) (crypto.Signer, error) {
		calls.Add(1)
		<-release
		return NewPrivateKey(alg)
	}, 1)
	p.Warm(context.Background(), p256, 1)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := p.Get(ctx, p256); !errors.Is(err, context.Canceled) {
		t.Fatalf("Get with a cancelled context: %v", err)
	}
	close(release)
	// The key the cancelled Get gave up is served to the next one.
	waitFor(t, "the warmed key", func() bool { return readyKeys(p, p256) == 1 })
	if _, err := p.Get(context.Background(), p256); err != nil {
		t.Fatal(err)
	}
	if c := calls.Load(); c != 1 {
		t.Errorf("%d keys generated, want the warmed one reused", c)
	}
}

func TestNilKeyPool(t *testing.T) {
	t.Parallel()
	var p *KeyPool
	p.Warm(context.Background(), p256, 3)
	if k, err := p.Get(context.Background(), p256); err != nil || k == nil {
		t.Fatalf("nil pool: %v", err)
	}
}
