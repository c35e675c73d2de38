// Package progress carries kubeadm-style progress lines ("[phase] Verb
// object") from any package to the sink the running command put in the
// context, so that library packages report without printing and every
// workflow reports in one shape, as text or as JSON events.
package progress

import (
	"context"
	"fmt"
)

// Sink receives one progress message, usually a whole line.
type Sink func(message string)

type sinkKey struct{}

// WithSink returns a context whose Printf calls reach s.
func WithSink(ctx context.Context, s Sink) context.Context {
	return context.WithValue(ctx, sinkKey{}, s)
}

// Printf reports a progress message such as "[preflight] Running pre-flight
// checks\n". Without a sink in ctx the message is dropped: progress is for
// people, never needed for the work itself.
func Printf(ctx context.Context, format string, args ...any) {
	if s, ok := ctx.Value(sinkKey{}).(Sink); ok {
		s(fmt.Sprintf(format, args...))
	}
}
