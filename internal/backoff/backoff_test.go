package backoff

import (
	"context"
	"testing"
	"time"
)

func TestNext(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		step     int // 0-based pause number
		min, max time.Duration
	}{
		{name: "the first pause is about first", step: 0, min: 160 * time.Millisecond, max: 240 * time.Millisecond},
		{name: "the second grows", step: 1, min: 256 * time.Millisecond, max: 384 * time.Millisecond},
		{name: "late pauses stay about max", step: 20, min: 2 * time.Second, max: 3 * time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			seen := map[time.Duration]bool{}
			for range 50 {
				b := New(200*time.Millisecond, 2500*time.Millisecond)
				var d time.Duration
				for range tc.step + 1 {
					d = b.Next()
				}
				if d < tc.min || d > tc.max {
					t.Fatalf("pause %d is %s, want within [%s, %s]", tc.step, d, tc.min, tc.max)
				}
				seen[d] = true
			}
			if len(seen) < 2 {
				t.Errorf("pause %d is always the same %v: want jitter", tc.step, seen)
			}
		})
	}
}

func TestWaitEndsWithTheContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := New(time.Hour, time.Hour).Wait(ctx); err != context.Canceled {
		t.Errorf("Wait on a cancelled context = %v, want context.Canceled", err)
	}
	if err := New(time.Millisecond, time.Millisecond).Wait(context.Background()); err != nil {
		t.Errorf("Wait = %v", err)
	}
}
