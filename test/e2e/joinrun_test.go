//go:build e2e

package e2e

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kadm-project/kadm/test/e2e/framework"
)

// errStillRuns is the error of a wait that ended before the command did.
var errStillRuns = errors.New("still runs")

// kadmRun is a kadm command running in a host whose output the test reads
// while it runs: the pending-CSR test answers what join prints before it
// exits, and the fast-failure tests time the whole run.
type kadmRun struct {
	args  []string
	start time.Time
	done  chan struct{}

	mu      sync.Mutex
	out     strings.Builder
	err     error
	elapsed time.Duration
}

// startKadm starts kadm in h with args, its standard output and error
// merged as a terminal would show them.
func startKadm(ctx context.Context, h *framework.Host, args ...string) (*kadmRun, error) {
	r := &kadmRun{args: args, done: make(chan struct{})}
	cmd := h.Command(ctx, "kadm", args...)
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	r.start = time.Now()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("on host %s: start kadm %s: %w", h.Name, strings.Join(args, " "), err)
	}
	read := make(chan struct{})
	go func() {
		defer close(read)
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			r.mu.Lock()
			r.out.WriteString(sc.Text() + "\n")
			r.mu.Unlock()
		}
	}()
	go func() {
		err := cmd.Wait()
		elapsed := time.Since(r.start)
		pw.Close()
		<-read
		r.mu.Lock()
		r.err, r.elapsed = err, elapsed
		if err != nil {
			r.err = fmt.Errorf("on host %s: kadm %s: %w", h.Name, strings.Join(args, " "), err)
		}
		r.mu.Unlock()
		close(r.done)
	}()
	return r, nil
}

// Output is what the command printed so far.
func (r *kadmRun) Output() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.out.String()
}

// Exited tells whether the command has ended.
func (r *kadmRun) Exited() bool {
	select {
	case <-r.done:
		return true
	default:
		return false
	}
}

// Wait waits for the command to end, at most timeout, and returns its
// output, its error and how long it ran from start to exit.
func (r *kadmRun) Wait(ctx context.Context, timeout time.Duration) (string, time.Duration, error) {
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-r.done:
	case <-ctx.Done():
		return r.Output(), time.Since(r.start), fmt.Errorf("kadm %s: %w", strings.Join(r.args, " "), ctx.Err())
	case <-t.C:
		return r.Output(), time.Since(r.start), fmt.Errorf("kadm %s: %w after %s", strings.Join(r.args, " "), errStillRuns, timeout)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.out.String(), r.elapsed, r.err
}

// runKadm runs kadm in h to its end and returns its output, how long it ran
// and its error.
func runKadm(t *testing.T, ctx context.Context, h *framework.Host, timeout time.Duration, args ...string) (string, time.Duration, error) {
	t.Helper()
	r, err := startKadm(ctx, h, args...)
	if err != nil {
		t.Fatal(err)
	}
	out, elapsed, err := r.Wait(ctx, timeout)
	t.Logf("kadm %s (%s, %v):\n%s", strings.Join(args, " "), elapsed.Round(time.Millisecond), err, out)
	return out, elapsed, err
}
