package discovery

import (
	"testing"
	"time"
)

func TestBackoffSteps(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		step     int // 0-based retry number
		min, max time.Duration
	}{
		{name: "first retry is a fraction of a second", step: 0, min: 160 * time.Millisecond, max: 240 * time.Millisecond},
		{name: "second retry grows", step: 1, min: 256 * time.Millisecond, max: 384 * time.Millisecond},
		{name: "late retries stay at a few seconds", step: 20, min: 2 * time.Second, max: 3 * time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			seen := map[time.Duration]bool{}
			for range 50 {
				var b backoff
				var d time.Duration
				for range tc.step + 1 {
					d = b.step()
				}
				if d < tc.min || d > tc.max {
					t.Fatalf("retry %d waits %s, want within [%s, %s]", tc.step, d, tc.min, tc.max)
				}
				seen[d] = true
			}
			if len(seen) < 2 {
				t.Errorf("retry %d always waits the same %v: want jitter", tc.step, seen)
			}
		})
	}
}
