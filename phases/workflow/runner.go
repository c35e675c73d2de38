package workflow

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// ErrUnknownPhase is wrapped by errors about a phase name that is not in the
// workflow, so callers can treat them as usage errors.
var ErrUnknownPhase = errors.New("unknown phase")

// PhaseError is a failure of one phase. Its message keeps kubeadm's form so
// scripts that grep for "error execution phase" keep working.
type PhaseError struct {
	Phase string
	Err   error
}

func (e *PhaseError) Error() string {
	return fmt.Sprintf("error execution phase %s: %v", e.Phase, e.Err)
}

func (e *PhaseError) Unwrap() error { return e.Err }

// Workflow is an ordered tree of phases over data of type D.
type Workflow[D any] struct {
	Phases []Phase[D]
}

// node is a phase placed in the tree: its full path and depth are derived
// once so that skipping, selecting and help rendering agree on names.
type node[D any] struct {
	phase    *Phase[D]
	path     string
	level    int
	parent   *node[D]
	children []*node[D]
}

func (w *Workflow[D]) tree() []*node[D] {
	var build func(phases []Phase[D], parent *node[D], level int) []*node[D]
	build = func(phases []Phase[D], parent *node[D], level int) []*node[D] {
		nodes := make([]*node[D], 0, len(phases))
		for i := range phases {
			n := &node[D]{phase: &phases[i], path: phases[i].Name, level: level, parent: parent}
			if parent != nil {
				n.path = parent.path + "/" + phases[i].Name
			}
			n.children = build(phases[i].Phases, n, level+1)
			nodes = append(nodes, n)
		}
		return nodes
	}
	return build(w.Phases, nil, 0)
}

func walk[D any](nodes []*node[D], visit func(*node[D])) {
	for _, n := range nodes {
		visit(n)
		walk(n.children, visit)
	}
}

// PhaseNames lists every phase path in run order, hidden ones included.
func (w *Workflow[D]) PhaseNames() []string {
	var names []string
	walk(w.tree(), func(n *node[D]) { names = append(names, n.path) })
	return names
}

// resolve returns the phase path that name stands for: name itself, or the
// path of the phase that name is a former path of; ok is false for a name
// the workflow does not know.
func (w *Workflow[D]) resolve(name string) (path string, ok bool) {
	walk(w.tree(), func(n *node[D]) {
		if n.path == name || slices.Contains(n.phase.FormerPaths, name) {
			path, ok = n.path, true
		}
	})
	return path, ok
}

// ValidateNames checks that every name is a phase path of the workflow, or a
// former path of one; the error lists the valid names so the user can
// correct a typo at once.
func (w *Workflow[D]) ValidateNames(names []string) error {
	var unknown []string
	for _, name := range names {
		if _, ok := w.resolve(name); !ok {
			unknown = append(unknown, fmt.Sprintf("%q", name))
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	return fmt.Errorf("%w %s; valid phases are: %s", ErrUnknownPhase, strings.Join(unknown, ", "), strings.Join(w.PhaseNames(), ", "))
}

// RunOptions select what a Run does.
type RunOptions struct {
	// Skip names phases to skip together with their children.
	Skip []string
	// Only, when set, is the path of the one phase to run (with its
	// children), as `<cmd> phase <path>` does.
	Only string
	// Reporter receives the run's events; nil reports nothing.
	Reporter Reporter
}

// Run runs the workflow's phases depth-first in order.
func (w *Workflow[D]) Run(ctx context.Context, data D, opts RunOptions) error {
	if err := w.ValidateNames(opts.Skip); err != nil {
		return err
	}
	skip := make([]string, 0, len(opts.Skip))
	for _, name := range opts.Skip {
		path, _ := w.resolve(name)
		skip = append(skip, path)
	}
	roots := w.tree()
	if opts.Only != "" {
		path, ok := w.resolve(opts.Only)
		if !ok {
			return w.ValidateNames([]string{opts.Only})
		}
		walk(roots, func(n *node[D]) {
			if n.path == path {
				roots = []*node[D]{n}
			}
		})
	}
	r := &run[D]{data: data, skip: skip, reporter: opts.Reporter}
	if r.reporter == nil {
		r.reporter = discard{}
	}
	ctx = WithReporter(ctx, r.reporter)
	r.prepare(ctx, roots)
	return r.nodes(ctx, roots)
}

// prepare calls Prepare of every phase among nodes and their children that
// the run does not skip, in run order.
func (r *run[D]) prepare(ctx context.Context, nodes []*node[D]) {
	for _, n := range nodes {
		if slices.Contains(r.skip, n.path) {
			continue
		}
		if n.phase.Prepare != nil {
			n.phase.Prepare(ctx, r.data)
		}
		r.prepare(ctx, n.children)
	}
}

type discard struct{}

func (discard) Report(Event) {}

type run[D any] struct {
	data     D
	skip     []string
	reporter Reporter
}

func (r *run[D]) nodes(ctx context.Context, nodes []*node[D]) error {
	for _, n := range nodes {
		if err := r.node(ctx, n); err != nil {
			return err
		}
	}
	return nil
}

func (r *run[D]) node(ctx context.Context, n *node[D]) error {
	if err := ctx.Err(); err != nil {
		return &PhaseError{Phase: n.path, Err: fmt.Errorf("not started: %w", context.Cause(ctx))}
	}
	start := time.Now()
	r.reporter.Report(Event{Type: "start", Phase: n.path, Time: start})
	end := func(result, reason string, err error) {
		e := Event{Type: "end", Phase: n.path, Time: time.Now(), Result: result, Reason: reason}
		if result != ResultSkipped {
			e.DurationSeconds = e.Time.Sub(start).Seconds()
		}
		if err != nil {
			e.Error = err.Error()
		}
		r.reporter.Report(e)
	}

	if slices.Contains(r.skip, n.path) {
		end(ResultSkipped, "skip-phases", nil)
		return nil
	}
	if n.phase.RunIf != nil {
		ok, err := n.phase.RunIf(r.data)
		if err != nil {
			perr := &PhaseError{Phase: n.path, Err: err}
			end(ResultFailure, "", perr)
			return perr
		}
		if !ok {
			end(ResultSkipped, "not applicable", nil)
			return nil
		}
	}
	pctx := withPhase(ctx, r.reporter, n.path)
	if n.phase.Run != nil {
		if err := n.phase.Run(pctx, r.data); err != nil {
			perr := &PhaseError{Phase: n.path, Err: err}
			end(ResultFailure, "", perr)
			return perr
		}
	}
	if err := r.nodes(ctx, n.children); err != nil {
		end(ResultFailure, "", err)
		return err
	}
	end(ResultSuccess, "", nil)
	return nil
}
