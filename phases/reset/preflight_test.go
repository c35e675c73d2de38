package resetphases

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/kadm-project/kadm/phases"
	"github.com/kadm-project/kadm/preflight"
)

// failingReader fails the test that reads it.
type failingReader struct{ t *testing.T }

func (r failingReader) Read([]byte) (int, error) {
	r.t.Error("the prompt was read although it must not be asked")
	return 0, io.EOF
}

func TestPreflightConfirmation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		input         string
		force, dryRun bool
		wantErr       error
		wantPrompt    bool
	}{
		{"y", "y\n", false, false, nil, true},
		{"yes in capitals", "YES\n", false, false, nil, true},
		{"no", "n\n", false, false, phases.ErrNotConfirmed, true},
		{"anything else", "sure\n", false, false, phases.ErrNotConfirmed, true},
		{"empty line", "\n", false, false, phases.ErrNotConfirmed, true},
		{"end of input", "", false, false, phases.ErrNotConfirmed, true},
		{"force", "", true, false, nil, false},
		{"dry run", "", false, true, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := newFakeData(t)
			d.force, d.dryRun = tt.force, tt.dryRun
			d.in = strings.NewReader(tt.input)
			if !tt.wantPrompt {
				d.in = failingReader{t}
			}
			out, err := run(t, runPreflight, d)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("error %v, want %v", err, tt.wantErr)
			}
			if got := strings.Contains(out, "Are you sure you want to proceed? [y/N]"); got != tt.wantPrompt {
				t.Errorf("prompted %v, want %v; output:\n%s", got, tt.wantPrompt, out)
			}
			if ran := strings.Contains(out, "[preflight] Running pre-flight checks"); ran != (tt.wantErr == nil) {
				t.Errorf("checks ran %v, want %v", ran, tt.wantErr == nil)
			}
		})
	}
}

func TestPreflightNeedsRoot(t *testing.T) {
	t.Parallel()
	d := newFakeData(t)
	d.force, d.uid = true, 1000
	if _, err := run(t, runPreflight, d); !errors.Is(err, preflight.ErrChecksFailed) {
		t.Fatalf("error %v, want a failed check", err)
	}
}
