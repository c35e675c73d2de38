package etcdcluster

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestRetry(t *testing.T) {
	t.Parallel()
	errBusy := errors.New("etcdserver: leader changed")
	tests := []struct {
		name string
		// try is called with the attempt number, from 0.
		try       func(ctx context.Context, n int) error
		cancel    bool
		wantErr   error
		wantMsg   string
		wantTries int
	}{
		{
			name: "succeeds after transient failures",
			try: func(_ context.Context, n int) error {
				if n < 2 {
					return errBusy
				}
				return nil
			},
			wantTries: 3,
		},
		{
			name:      "stops at a permanent failure",
			try:       func(context.Context, int) error { return permanent(errBusy) },
			wantErr:   errBusy,
			wantMsg:   errBusy.Error(),
			wantTries: 1,
		},
		{
			name: "an attempt cut short by the deadline gives way to the one before",
			try: func(ctx context.Context, n int) error {
				if n == 0 {
					return errBusy
				}
				<-ctx.Done()
				return ctx.Err()
			},
			wantErr:   errBusy,
			wantMsg:   errBusy.Error() + " (gave up at the deadline)",
			wantTries: 2,
		},
		{
			name:      "a canceled context says so",
			try:       func(context.Context, int) error { return errBusy },
			cancel:    true,
			wantErr:   errBusy,
			wantMsg:   errBusy.Error() + " (stopped: context canceled)",
			wantTries: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
			defer cancel()
			if tt.cancel {
				cancel()
			}
			tries := 0
			err := retry(ctx, "test", func(ctx context.Context) error {
				tries++
				return tt.try(ctx, tries-1)
			})
			if !errors.Is(err, tt.wantErr) || (err != nil && err.Error() != tt.wantMsg) {
				t.Errorf("retry() error = %v, want %q", err, tt.wantMsg)
			}
			if tries != tt.wantTries {
				t.Errorf("retry() made %d attempts, want %d", tries, tt.wantTries)
			}
		})
	}
}
