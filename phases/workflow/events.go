package workflow

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/kadm-project/kadm/internal/progress"
)

// Event is one thing a workflow run reports. CI scripts read these as JSON
// lines, so field names are part of kadm's interface.
type Event struct {
	Type  string    `json:"event"` // "start", "end" or "message"
	Phase string    `json:"phase"` // full path, e.g. "control-plane-prepare/certs"; empty for workflow-level messages
	Time  time.Time `json:"time"`
	// The rest is set on "end" events.
	DurationSeconds float64 `json:"durationSeconds,omitempty"`
	Result          string  `json:"result,omitempty"` // "success", "failure" or "skipped"
	Reason          string  `json:"reason,omitempty"` // why a phase was skipped
	Error           string  `json:"error,omitempty"`
	// Message is the text of a "message" event.
	Message string `json:"message,omitempty"`
}

// Results of an "end" event.
const (
	ResultSuccess = "success"
	ResultFailure = "failure"
	ResultSkipped = "skipped"
)

// Reporter receives a run's events. Implementations must be safe for use by
// phases that report from several goroutines.
type Reporter interface {
	Report(Event)
}

// TextReporter prints messages as they are and nothing else: the progress
// lines users know from kubeadm come from the phases themselves.
type TextReporter struct {
	mu  sync.Mutex
	Out io.Writer
}

func (r *TextReporter) Report(e Event) {
	if e.Type != "message" {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	fmt.Fprint(r.Out, e.Message)
}

// JSONReporter writes every event as one JSON object per line.
type JSONReporter struct {
	mu  sync.Mutex
	Out io.Writer
}

func (r *JSONReporter) Report(e Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	b, err := json.Marshal(e)
	if err != nil {
		return
	}
	r.Out.Write(append(b, '\n'))
}

type reporterKey struct{}

// WithReporter returns a context whose progress.Printf calls reach r, as
// messages of no phase.
func WithReporter(ctx context.Context, r Reporter) context.Context {
	return withPhase(context.WithValue(ctx, reporterKey{}, r), r, "")
}

// withPhase makes progress.Printf calls in ctx messages of the phase at path.
func withPhase(ctx context.Context, r Reporter, path string) context.Context {
	return progress.WithSink(ctx, func(m string) {
		r.Report(Event{Type: "message", Phase: path, Time: time.Now(), Message: m})
	})
}
