package app

import (
	"context"
	"fmt"
	"io"
	"sync"

	"github.com/kadm-project/kadm/internal/progress"
)

// IOStreams are the command line's standard streams; nothing in kadm writes
// to os.Stdout or os.Stderr directly, so tests can run the whole CLI.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
}

// withProgress makes the progress lines of ctx go to s.Out, as kubeadm
// prints them; the workflows put their own sink, text or JSON events, in
// its place.
func (s IOStreams) withProgress(ctx context.Context) context.Context {
	var mu sync.Mutex
	return progress.WithSink(ctx, func(m string) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprint(s.Out, m)
	})
}
