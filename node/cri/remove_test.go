package cri

import (
	"context"
	"slices"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func TestRemovePods(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		sandboxes []string
		stopErrs  []error
		wantStops []string
		wantErr   string
		wantLeft  []string
	}{
		{name: "every sandbox", sandboxes: []string{"a", "b"}, wantStops: []string{"a", "b"}},
		{name: "none", wantStops: nil},
		{
			name: "a failed stop is retried", sandboxes: []string{"a", "b"},
			stopErrs:  []error{status.Error(codes.Unknown, "shim busy")},
			wantStops: []string{"a", "a", "b"},
		},
		{
			name: "a sandbox gone meanwhile is no error", sandboxes: []string{"a"},
			stopErrs:  []error{status.Error(codes.NotFound, "not found")},
			wantStops: []string{"a"},
			wantLeft:  []string{"a"},
		},
		{
			name: "a sandbox that never stops is reported", sandboxes: []string{"a", "b"},
			stopErrs:  slices.Repeat([]error{status.Error(codes.Unknown, "shim busy")}, 5),
			wantStops: []string{"a", "a", "a", "a", "a", "b"},
			wantErr:   "stop the Pod sandbox a: shim busy",
			wantLeft:  []string{"a"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := &fakeRuntime{sandboxes: slices.Clone(tc.sandboxes), stopErrs: tc.stopErrs}
			err := removePods(context.Background(), connect(t, f.start(t)), noWait)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("removePods: %v", err)
			case tc.wantErr != "" && (err == nil || err.Error() != tc.wantErr):
				t.Fatalf("removePods = %v, want %q", err, tc.wantErr)
			}
			if !slices.Equal(f.stops, tc.wantStops) {
				t.Errorf("stops = %q, want %q", f.stops, tc.wantStops)
			}
			if !slices.Equal(f.sandboxes, tc.wantLeft) {
				t.Errorf("sandboxes left: %q, want %q", f.sandboxes, tc.wantLeft)
			}
		})
	}
}
