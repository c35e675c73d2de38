package workflow

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/kadm-project/kadm/internal/progress"
)

type cmdData struct {
	ran        []string
	configSkip []string
	name       string
}

type fixture struct {
	root  *cobra.Command
	out   *bytes.Buffer
	data  *cmdData
	name  *string
	calls int
}

func newFixture() *fixture {
	fx := &fixture{out: &bytes.Buffer{}, data: &cmdData{}}
	run := func(name string) func(context.Context, *cmdData) error {
		return func(ctx context.Context, d *cmdData) error {
			d.ran = append(d.ran, name)
			progress.Printf(ctx, "[%s] ran for %s\n", name, d.name)
			return nil
		}
	}
	local := pflag.NewFlagSet("local", pflag.ContinueOnError)
	local.Bool("only-here", false, "a flag of one phase")
	w := &Workflow[*cmdData]{Phases: []Phase[*cmdData]{
		{Name: "pre", Short: "first", Run: run("pre"), InheritFlags: []string{"node-name"}},
		{Name: "group", Short: "a group", WithAll: true, AllShort: "every one of the group", ArgsUsage: "[endpoint]", ArgsValidator: cobra.MaximumNArgs(1), Phases: []Phase[*cmdData]{
			{Name: "one", Short: "one", Run: run("group/one"), InheritFlags: []string{"node-name", "extra"}},
			{Name: "two", Short: "two", Run: run("group/two"), LocalFlags: local},
		}},
		{Name: "secret", Short: "hidden", Hidden: true, Run: run("secret")},
		{Name: "moved", Short: "once group/three", FormerPaths: []string{"group/three"}, Run: run("moved"), InheritFlags: []string{"node-name"}},
	}}
	root := &cobra.Command{Use: "kadm", SilenceErrors: true, SilenceUsage: true}
	cmd := &cobra.Command{Use: "test [endpoint]", Short: "runs the test workflow", Args: cobra.MaximumNArgs(1)}
	name := cmd.Flags().String("node-name", "default", "the node name")
	cmd.Flags().String("unrelated", "", "a flag no phase inherits")
	extra := pflag.NewFlagSet("extra", pflag.ContinueOnError)
	extra.String("extra", "", "a flag only phase commands have")
	c := &Command[*cmdData]{
		Workflow: w,
		NewData: func(_ context.Context, _ *cobra.Command, _ []string) (*cmdData, error) {
			fx.calls++
			fx.data.name = *name
			return fx.data, nil
		},
		ConfigSkipPhases: func(d *cmdData) []string { return d.configSkip },
		AdditionalFlags:  extra,
		Out:              fx.out,
	}
	c.Bind(cmd)
	root.AddCommand(cmd)
	fx.root, fx.name = root, name
	return fx
}

func (fx *fixture) exec(args ...string) error {
	fx.root.SetArgs(args)
	fx.root.SetOut(fx.out)
	fx.root.SetErr(fx.out)
	return fx.root.Execute()
}

func TestCommandRunsWorkflow(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		args       []string
		configSkip []string
		want       []string
	}{
		{"whole workflow", []string{"test"}, nil, []string{"pre", "group/one", "group/two", "secret", "moved"}},
		{"skip flag", []string{"test", "--skip-phases", "group/one,secret"}, nil, []string{"pre", "group/two", "moved"}},
		{"config skipPhases", []string{"test"}, []string{"group"}, []string{"pre", "secret", "moved"}},
		{"the flag wins over the config", []string{"test", "--skip-phases=pre"}, []string{"group"}, []string{"group/one", "group/two", "secret", "moved"}},
		{"skip by a former path", []string{"test", "--skip-phases", "group/three,secret"}, nil, []string{"pre", "group/one", "group/two"}},
		{"config skipPhases by a former path", []string{"test"}, []string{"group/three"}, []string{"pre", "group/one", "group/two", "secret"}},
		{"a phase by its former path", []string{"test", "phase", "group/three"}, nil, []string{"moved"}},
		{"a phase by its former nested name", []string{"test", "phase", "group", "three", "--node-name", "x"}, nil, []string{"moved"}},
		{"a single phase", []string{"test", "phase", "pre"}, nil, []string{"pre"}},
		{"a nested phase", []string{"test", "phase", "group", "two", "--only-here"}, nil, []string{"group/two"}},
		{"all runs the group", []string{"test", "phase", "group", "all", "10.0.0.1:6443"}, nil, []string{"group/one", "group/two"}},
		{"a single phase ignores config skipPhases", []string{"test", "phase", "pre"}, []string{"pre"}, []string{"pre"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fx := newFixture()
			fx.data.configSkip = tt.configSkip
			if err := fx.exec(tt.args...); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(fx.data.ran, tt.want) {
				t.Errorf("ran %v, want %v", fx.data.ran, tt.want)
			}
			if fx.calls != 1 {
				t.Errorf("NewData called %d times, want once", fx.calls)
			}
		})
	}
}

func TestCommandErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		args    []string
		config  []string
		wantErr error
		want    string
	}{
		{"unknown skip name", []string{"test", "--skip-phases", "pre,grup"}, nil, ErrUnknownPhase, `--skip-phases: unknown phase "grup"; valid phases are: pre, group, group/one, group/two, secret, moved`},
		{"unknown config skip name", []string{"test"}, []string{"nope"}, ErrUnknownPhase, `skipPhases in the configuration: unknown phase "nope"`},
		{"group without a phase", []string{"test", "phase", "group"}, nil, ErrPhaseRequired, `a phase is required after "kadm test phase group": one of all, one, two`},
		{"phase without a name", []string{"test", "phase"}, nil, ErrPhaseRequired, `one of group, moved, pre`},
		{"a group is not a phase to run", []string{"test", "phase", "group", "--node-name", "x"}, nil, nil, `unknown flag: --node-name`},
		{"bad output", []string{"test", "-o", "xml"}, nil, ErrOutputFormat, `--output "xml": unsupported output format`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fx := newFixture()
			fx.data.configSkip = tt.config
			err := fx.exec(tt.args...)
			if err == nil || tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Fatalf("error %v, want %v", err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
			if len(fx.data.ran) != 0 {
				t.Errorf("phases ran: %v", fx.data.ran)
			}
		})
	}
}

func TestPhaseCommandFlags(t *testing.T) {
	t.Parallel()
	fx := newFixture()
	find := func(path ...string) *cobra.Command {
		c, _, err := fx.root.Find(append([]string{"test", "phase"}, path...))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	has := func(c *cobra.Command) []string {
		var names []string
		c.LocalFlags().VisitAll(func(f *pflag.Flag) { names = append(names, f.Name) })
		return names
	}
	tests := []struct {
		path []string
		want []string
	}{
		{[]string{"pre"}, []string{"node-name", "output"}},
		{[]string{"group", "one"}, []string{"extra", "node-name", "output"}},
		{[]string{"group", "two"}, []string{"only-here", "output"}},
		{[]string{"group", "all"}, []string{"extra", "node-name", "output"}},
		{[]string{"group"}, nil},
		{[]string{"group", "three"}, []string{"node-name", "output"}},
	}
	for _, tt := range tests {
		if got := has(find(tt.path...)); !slices.Equal(got, tt.want) {
			t.Errorf("phase %v has flags %v, want %v", tt.path, got, tt.want)
		}
	}
	if all := find("group", "all"); all.Short != "every one of the group" {
		t.Errorf("the all command's description is %q, want its AllShort", all.Short)
	}
	if c, _, _ := fx.root.Find([]string{"test", "phase", "secret"}); c.Name() == "secret" {
		t.Error("a hidden phase got a phase command")
	}
	if use := find("group").Use; use != "group" {
		t.Errorf("the group's usage is %q: only its all command takes the endpoint", use)
	}
	for _, path := range [][]string{{"group", "three"}, {"group/three"}} {
		if !find(path...).Hidden {
			t.Errorf("the former path command %v is listed", path)
		}
	}
	if err := fx.exec("test", "phase", "pre", "--node-name", "worker-1"); err != nil {
		t.Fatal(err)
	}
	if *fx.name != "worker-1" {
		t.Errorf("inherited flag did not reach the workflow's options: %q", *fx.name)
	}
	if err := fx.exec("test", "phase", "pre", "--unrelated", "x"); err == nil || !strings.Contains(err.Error(), "unknown flag: --unrelated") {
		t.Errorf("a flag the phase does not inherit was accepted: %v", err)
	}
	if err := fx.exec("test", "phase", "pre", "extra-arg"); err == nil {
		t.Error("a phase without ArgsValidator accepted an argument")
	}
}

func TestCommandHelpListsPhases(t *testing.T) {
	t.Parallel()
	fx := newFixture()
	if err := fx.exec("test", "--help"); err != nil {
		t.Fatal(err)
	}
	want := "runs the test workflow\n\nThe \"test [endpoint]\" command executes the following phases:\n```\npre    first\ngroup  a group\n  /one   one\n  /two   two\nmoved  once group/three\n```\n"
	if !strings.Contains(fx.out.String(), want) {
		t.Errorf("help:\n%s\ndoes not contain:\n%s", fx.out, want)
	}
}

func TestCommandJSONOutput(t *testing.T) {
	t.Parallel()
	fx := newFixture()
	if err := fx.exec("test", "phase", "pre", "--output=json", "--node-name=n1"); err != nil {
		t.Fatal(err)
	}
	lines := slices.Collect(strings.Lines(fx.out.String()))
	if len(lines) != 3 || !strings.Contains(lines[0], `"event":"start","phase":"pre"`) ||
		!strings.Contains(lines[1], `"message":"[pre] ran for n1\n"`) || !strings.Contains(lines[2], `"result":"success"`) {
		t.Errorf("unexpected JSON events:\n%s", fx.out)
	}
}

func TestPhaseCommandByPath(t *testing.T) {
	t.Parallel()
	fx := newFixture()
	if err := fx.exec("test", "phase", "group/two", "--only-here"); err != nil {
		t.Fatal(err)
	}
	if want := []string{"group/two"}; !slices.Equal(fx.data.ran, want) {
		t.Errorf("ran %v, want %v", fx.data.ran, want)
	}
	fx.out.Reset()
	if err := fx.exec("test", "phase", "--help"); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(fx.out.String(), "group/two") {
		t.Errorf("path commands are listed in help:\n%s", fx.out)
	}
}

// closingData records that the run closed it, as a dry run's data removes
// its directory.
type closingData struct {
	closed   int
	closeErr error
}

func (d *closingData) Close() error {
	d.closed++
	return d.closeErr
}

// TestCommandClosesData: data that is an io.Closer is closed once when the
// run ends, for a full run and a single phase, whether the run succeeds,
// fails or is cancelled, and a failed Close is reported.
func TestCommandClosesData(t *testing.T) {
	t.Parallel()
	errPhase, errClose := errors.New("phase failed"), errors.New("close failed")
	tests := []struct {
		name     string
		args     []string
		run      func(ctx context.Context, d *closingData) error
		cancel   bool
		closeErr error
		want     []error
	}{
		{name: "full run succeeds", args: []string{"test"}},
		{name: "single phase succeeds", args: []string{"test", "phase", "work"}},
		{name: "phase fails", args: []string{"test"}, run: func(context.Context, *closingData) error { return errPhase }, want: []error{errPhase}},
		{name: "run cancelled", args: []string{"test"}, cancel: true, run: func(ctx context.Context, _ *closingData) error { return ctx.Err() }, want: []error{context.Canceled}},
		{name: "close fails", args: []string{"test", "phase", "work"}, closeErr: errClose, want: []error{errClose}},
		{name: "both fail", args: []string{"test"}, run: func(context.Context, *closingData) error { return errPhase }, closeErr: errClose, want: []error{errPhase, errClose}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			data := &closingData{closeErr: tt.closeErr}
			run := tt.run
			if run == nil {
				run = func(context.Context, *closingData) error { return nil }
			}
			c := &Command[*closingData]{
				Workflow: &Workflow[*closingData]{Phases: []Phase[*closingData]{{Name: "work", Short: "work", Run: run}}},
				NewData: func(context.Context, *cobra.Command, []string) (*closingData, error) {
					return data, nil
				},
				Out: &bytes.Buffer{},
			}
			root := &cobra.Command{Use: "kadm", SilenceErrors: true, SilenceUsage: true}
			cmd := &cobra.Command{Use: "test"}
			c.Bind(cmd)
			root.AddCommand(cmd)
			root.SetArgs(tt.args)
			root.SetOut(&bytes.Buffer{})
			ctx, cancel := context.WithCancel(context.Background())
			if tt.cancel {
				cancel()
			}
			defer cancel()
			err := root.ExecuteContext(ctx)
			if data.closed != 1 {
				t.Errorf("closed %d times, want once", data.closed)
			}
			if len(tt.want) == 0 && err != nil {
				t.Fatalf("run: %v", err)
			}
			for _, w := range tt.want {
				if !errors.Is(err, w) {
					t.Errorf("error %v does not report %v", err, w)
				}
			}
		})
	}
}
