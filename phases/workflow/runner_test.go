package workflow

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/kadm-project/kadm/internal/progress"
)

// trace records which phases ran, in order.
type trace struct{ ran []string }

func rec(name string) func(context.Context, *trace) error {
	return func(_ context.Context, t *trace) error {
		t.ran = append(t.ran, name)
		return nil
	}
}

func never(*trace) (bool, error) { return false, nil }

func testWorkflow() *Workflow[*trace] {
	return &Workflow[*trace]{Phases: []Phase[*trace]{
		{Name: "a", Short: "first", Run: rec("a")},
		{Name: "b", Short: "group", Phases: []Phase[*trace]{
			{Name: "b1", Short: "one", Run: rec("b/b1")},
			{Name: "b2", Short: "two", Run: rec("b/b2"), Phases: []Phase[*trace]{
				{Name: "deep", Short: "deep", Run: rec("b/b2/deep")},
			}},
		}},
		{Name: "c", Short: "conditional", Run: rec("c"), RunIf: never, Phases: []Phase[*trace]{
			{Name: "c1", Short: "child of conditional", Run: rec("c/c1")},
		}},
		{Name: "h", Short: "hidden", Hidden: true, Run: rec("h")},
		{Name: "z", Short: "last", Run: rec("z")},
	}}
}

func TestRunOrder(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts RunOptions
		want []string
	}{
		{"all phases depth-first, RunIf false skips the subtree, hidden phases run",
			RunOptions{}, []string{"a", "b/b1", "b/b2", "b/b2/deep", "h", "z"}},
		{"skip a parent skips its children",
			RunOptions{Skip: []string{"b"}}, []string{"a", "h", "z"}},
		{"skip a nested phase only",
			RunOptions{Skip: []string{"b/b2"}}, []string{"a", "b/b1", "h", "z"}},
		{"skip a hidden phase",
			RunOptions{Skip: []string{"h", "a"}}, []string{"b/b1", "b/b2", "b/b2/deep", "z"}},
		{"only one phase and its children",
			RunOptions{Only: "b/b2"}, []string{"b/b2", "b/b2/deep"}},
		{"only a group with a skipped child",
			RunOptions{Only: "b", Skip: []string{"b/b1"}}, []string{"b/b2", "b/b2/deep"}},
		{"only a phase whose RunIf is false runs nothing",
			RunOptions{Only: "c"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tr := &trace{}
			if err := testWorkflow().Run(context.Background(), tr, tt.opts); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(tr.ran, tt.want) {
				t.Errorf("ran %v, want %v", tr.ran, tt.want)
			}
		})
	}
}

func TestRunUnknownNames(t *testing.T) {
	t.Parallel()
	for _, opts := range []RunOptions{{Skip: []string{"b/nope"}}, {Only: "nope"}} {
		tr := &trace{}
		err := testWorkflow().Run(context.Background(), tr, opts)
		if !errors.Is(err, ErrUnknownPhase) {
			t.Fatalf("%+v: got %v, want ErrUnknownPhase", opts, err)
		}
		for _, valid := range []string{"a", "b/b2/deep", "h"} {
			if !strings.Contains(err.Error(), valid) {
				t.Errorf("error %q does not list valid phase %q", err, valid)
			}
		}
		if len(tr.ran) != 0 {
			t.Errorf("phases ran despite the error: %v", tr.ran)
		}
	}
}

func TestRunFailureStopsAndWraps(t *testing.T) {
	t.Parallel()
	cause := errors.New("disk full")
	w := testWorkflow()
	w.Phases[1].Phases[1].Phases[0].Run = func(context.Context, *trace) error { return cause }
	tr := &trace{}
	err := w.Run(context.Background(), tr, RunOptions{})
	if got, want := err.Error(), "error execution phase b/b2/deep: disk full"; got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
	if !errors.Is(err, cause) {
		t.Error("the phase's error is not reachable with errors.Is")
	}
	if want := []string{"a", "b/b1", "b/b2"}; !slices.Equal(tr.ran, want) {
		t.Errorf("ran %v, want %v", tr.ran, want)
	}
}

func TestRunIfError(t *testing.T) {
	t.Parallel()
	w := testWorkflow()
	w.Phases[2].RunIf = func(*trace) (bool, error) { return false, errors.New("cannot tell") }
	err := w.Run(context.Background(), &trace{}, RunOptions{})
	if err == nil || err.Error() != "error execution phase c: cannot tell" {
		t.Errorf("error = %v", err)
	}
}

func TestRunCancelled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	w := testWorkflow()
	w.Phases[0].Run = func(context.Context, *trace) error { cancel(); return nil }
	tr := &trace{}
	err := w.Run(ctx, tr, RunOptions{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error = %v, want context.Canceled", err)
	}
	if !strings.HasPrefix(err.Error(), "error execution phase b:") {
		t.Errorf("error %q does not name the phase that did not start", err)
	}
}

func TestJSONEvents(t *testing.T) {
	t.Parallel()
	w := &Workflow[*trace]{Phases: []Phase[*trace]{
		{Name: "p", Run: func(ctx context.Context, _ *trace) error {
			progress.Printf(ctx, "[p] working\n")
			return nil
		}},
		{Name: "s", Run: rec("s")},
		{Name: "f", Run: func(context.Context, *trace) error { return errors.New("boom") }},
	}}
	var out bytes.Buffer
	err := w.Run(context.Background(), &trace{}, RunOptions{Skip: []string{"s"}, Reporter: &JSONReporter{Out: &out}})
	if err == nil {
		t.Fatal("expected the failing phase's error")
	}
	var got []string
	for line := range strings.Lines(out.String()) {
		var e Event
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("line %q is not a JSON event: %v", line, err)
		}
		if e.Time.IsZero() {
			t.Errorf("event %q has no time", line)
		}
		if e.Type == "end" && e.Result != ResultSkipped && e.DurationSeconds <= 0 {
			t.Errorf("end event %q has no duration", line)
		}
		got = append(got, strings.Join([]string{e.Type, e.Phase, e.Result, e.Reason, e.Error, e.Message}, "|"))
	}
	want := []string{
		"start|p||||",
		"message|p||||[p] working\n",
		"end|p|success|||",
		"start|s||||",
		"end|s|skipped|skip-phases||",
		"start|f||||",
		"end|f|failure||error execution phase f: boom|",
	}
	if !slices.Equal(got, want) {
		t.Errorf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestTextReporterPrintsMessagesOnly(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	w := &Workflow[*trace]{Phases: []Phase[*trace]{{Name: "p", Run: func(ctx context.Context, _ *trace) error {
		progress.Printf(ctx, "[p] Doing %s\n", "work")
		return nil
	}}}}
	if err := w.Run(context.Background(), &trace{}, RunOptions{Reporter: &TextReporter{Out: &out}}); err != nil {
		t.Fatal(err)
	}
	if got, want := out.String(), "[p] Doing work\n"; got != want {
		t.Errorf("output %q, want %q", got, want)
	}
}

func TestHelp(t *testing.T) {
	t.Parallel()
	got := testWorkflow().Help("test [endpoint]")
	want := "The \"test [endpoint]\" command executes the following phases:\n" +
		"```\n" +
		"a      first\n" +
		"b      group\n" +
		"  /b1    one\n" +
		"  /b2    two\n" +
		"    /deep  deep\n" +
		"c      conditional\n" +
		"  /c1    child of conditional\n" +
		"z      last\n" +
		"```"
	if got != want {
		t.Errorf("help:\n%s\nwant:\n%s", got, want)
	}
}

// TestPrepareBeforeAnyPhase: every Prepare of the phases a run includes and
// does not skip is called in run order before the first phase runs, RunIf
// not asked; skipped subtrees and phases outside `phase <path>` are not
// prepared.
func TestPrepareBeforeAnyPhase(t *testing.T) {
	t.Parallel()
	prep := func(name string) func(context.Context, *trace) {
		return func(_ context.Context, t *trace) { t.ran = append(t.ran, "prepare "+name) }
	}
	w := testWorkflow()
	w.Phases[0].Prepare = prep("a")
	w.Phases[1].Phases[1].Prepare = prep("b/b2")
	w.Phases[1].Phases[1].Phases[0].Prepare = prep("b/b2/deep")
	w.Phases[2].Prepare = prep("c")
	w.Phases[4].Prepare = prep("z")
	for _, tc := range []struct {
		name string
		opts RunOptions
		want []string
	}{
		{"a whole run", RunOptions{}, []string{"prepare a", "prepare b/b2", "prepare b/b2/deep", "prepare c", "prepare z",
			"a", "b/b1", "b/b2", "b/b2/deep", "h", "z"}},
		{"a skipped parent", RunOptions{Skip: []string{"b", "z"}}, []string{"prepare a", "prepare c", "a", "h"}},
		{"one phase", RunOptions{Only: "b/b2"}, []string{"prepare b/b2", "prepare b/b2/deep", "b/b2", "b/b2/deep"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr := &trace{}
			if err := w.Run(t.Context(), tr, tc.opts); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(tr.ran, tc.want) {
				t.Errorf("ran %q, want %q", tr.ran, tc.want)
			}
		})
	}
}
