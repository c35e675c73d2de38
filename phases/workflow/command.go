package workflow

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/kadm-project/kadm/phases/options"
)

// Output formats of the workflow's --output.
const (
	OutputText = "text"
	OutputJSON = "json"
)

// Errors a caller maps to usage errors.
var (
	ErrPhaseRequired = errors.New("a phase is required")
	ErrOutputFormat  = errors.New("unsupported output format")
)

// Command binds a Workflow to a cobra command.
type Command[D any] struct {
	Workflow *Workflow[D]
	// NewData builds the workflow's data from the parsed command; it runs
	// once per execution, for the whole workflow or for a single phase. Its
	// ctx carries the run's reporter, so warnings it prints with Printf reach
	// --output=json as well. Data that is an io.Closer (a dry run's
	// directory) is closed when the run ends, however it ends: success,
	// failure, or a cancelled ctx (Ctrl-C); Close's error joins the run's.
	NewData func(ctx context.Context, cmd *cobra.Command, args []string) (D, error)
	// ConfigSkipPhases returns the config file's skipPhases; --skip-phases
	// wins when it is set.
	ConfigSkipPhases func(data D) []string
	// AdditionalFlags are flags that only phase commands may inherit.
	AdditionalFlags *pflag.FlagSet
	// Done runs after every phase of a full run succeeded.
	Done func(ctx context.Context, data D) error
	// Out receives progress text or JSON events.
	Out io.Writer
}

type runFlags struct {
	skip   []string
	output string
}

// Bind adds --skip-phases and --output to cmd, makes cmd run the workflow,
// adds the `phase` command tree and puts the phase list into cmd's help.
func (c *Command[D]) Bind(cmd *cobra.Command) {
	f := &runFlags{output: OutputText}
	cmd.Flags().StringSliceVar(&f.skip, options.SkipPhases, nil, "List of phases to be skipped")
	cmd.Flags().StringVarP(&f.output, options.Output, "o", OutputText,
		`Progress format: "text", or "json" for one JSON object per line for each phase start and end and each message`)
	outputFlag := cmd.Flags().Lookup(options.Output)

	cmd.RunE = func(cmd *cobra.Command, args []string) (err error) {
		if f.skip != nil {
			if err := c.Workflow.ValidateNames(f.skip); err != nil {
				return fmt.Errorf("--%s: %w", options.SkipPhases, err)
			}
		}
		ctx, err := c.context(cmd, f.output)
		if err != nil {
			return err
		}
		data, err := c.NewData(ctx, cmd, args)
		if err != nil {
			return err
		}
		defer closeData(data, &err)
		skip := f.skip
		if !cmd.Flags().Changed(options.SkipPhases) && c.ConfigSkipPhases != nil {
			skip = c.ConfigSkipPhases(data)
			if err := c.Workflow.ValidateNames(skip); err != nil {
				return fmt.Errorf("skipPhases in the configuration: %w", err)
			}
		}
		if err := c.Workflow.Run(ctx, data, RunOptions{Skip: skip, Reporter: reporterFrom(ctx)}); err != nil {
			return err
		}
		if c.Done != nil {
			return c.Done(ctx, data)
		}
		return nil
	}

	phaseCmd := &cobra.Command{
		Use:   "phase",
		Short: fmt.Sprintf("Use this command to invoke single phase of the %q workflow", cmd.Name()),
		Args:  cobra.NoArgs,
		RunE:  requirePhase,
	}
	cmd.AddCommand(phaseCmd)
	c.addPhaseCommands(phaseCmd, cmd, c.Workflow.tree(), outputFlag)
	c.addPathCommands(phaseCmd, cmd, outputFlag)
	c.addFormerCommands(phaseCmd, cmd, outputFlag)

	long := cmd.Long
	if long == "" {
		long = cmd.Short
	}
	cmd.Long = fmt.Sprintf("%s\n\n%s\n", long, c.Workflow.Help(cmd.Use))
}

func (c *Command[D]) addPhaseCommands(parent, workflowCmd *cobra.Command, nodes []*node[D], outputFlag *pflag.Flag) {
	for _, n := range nodes {
		if n.phase.Hidden {
			continue
		}
		pc := c.phaseCommand(n, n.path, n.phase.Name, n.phase.Short, workflowCmd, outputFlag)
		parent.AddCommand(pc)
		if len(n.children) == 0 {
			continue
		}
		if n.phase.WithAll {
			short := n.phase.AllShort
			if short == "" {
				short = n.phase.Short
			}
			all := c.phaseCommand(n, n.path, "all", short, workflowCmd, outputFlag)
			all.Aliases = nil
			all.Long, all.Example = "", ""
			pc.AddCommand(all)
		}
		c.addPhaseCommands(pc, workflowCmd, n.children, outputFlag)
	}
}

// addPathCommands lets nested phases be named by their path as well, the
// way --skip-phases names them: `phase control-plane-prepare/certs` runs
// the same as `phase control-plane-prepare certs`. The path commands are
// hidden so that help lists every phase once.
func (c *Command[D]) addPathCommands(phaseCmd, workflowCmd *cobra.Command, outputFlag *pflag.Flag) {
	walk(c.Workflow.tree(), func(n *node[D]) {
		if n.level == 0 || hidden(n) || len(n.children) > 0 {
			return
		}
		pc := c.phaseCommand(n, n.path, n.path, n.phase.Short, workflowCmd, outputFlag)
		pc.Hidden = true
		phaseCmd.AddCommand(pc)
	})
}

// addFormerCommands adds hidden commands for the former paths of phases,
// so that scripts written for older kubeadm releases keep working: both
// `phase control-plane-join/etcd` and, when control-plane-join is still a
// group, `phase control-plane-join etcd`.
func (c *Command[D]) addFormerCommands(phaseCmd, workflowCmd *cobra.Command, outputFlag *pflag.Flag) {
	walk(c.Workflow.tree(), func(n *node[D]) {
		for _, former := range n.phase.FormerPaths {
			pc := c.phaseCommand(n, n.path, former, n.phase.Short, workflowCmd, outputFlag)
			pc.Hidden = true
			phaseCmd.AddCommand(pc)
			parent, name, nested := strings.Cut(former, "/")
			if !nested || strings.Contains(name, "/") {
				continue
			}
			group, _, err := phaseCmd.Find([]string{parent})
			if err != nil || group == phaseCmd {
				continue
			}
			sub := c.phaseCommand(n, n.path, name, n.phase.Short, workflowCmd, outputFlag)
			sub.Hidden = true
			group.AddCommand(sub)
		}
	})
}

// phaseCommand makes the command that runs the phase at path; name is the
// command's own name ("all" runs the whole subtree of path). A phase with
// children gets a command that only groups theirs, without flags, as
// kubeadm's.
func (c *Command[D]) phaseCommand(n *node[D], path, name, short string, workflowCmd *cobra.Command, outputFlag *pflag.Flag) *cobra.Command {
	grouping := len(n.children) > 0 && name != "all"
	use := name
	if n.phase.ArgsUsage != "" && !grouping {
		use += " " + n.phase.ArgsUsage
	}
	pc := &cobra.Command{
		Use:     use,
		Short:   short,
		Long:    n.phase.Long,
		Example: n.phase.Example,
		Aliases: n.phase.Aliases,
	}
	if grouping {
		pc.Args = cobra.NoArgs
		pc.RunE = requirePhase
		return pc
	}
	pc.Args = n.phase.ArgsValidator
	if pc.Args == nil {
		pc.Args = cobra.NoArgs
	}
	// A command runs the whole subtree below path, so it needs every flag
	// that any phase of the subtree inherits; local flags stay with their
	// own phase's command, as kubeadm's (`addon all` has no
	// --print-manifest).
	walk([]*node[D]{n}, func(m *node[D]) {
		inherit(workflowCmd.Flags(), pc.Flags(), m.phase.InheritFlags)
		if c.AdditionalFlags != nil {
			inherit(c.AdditionalFlags, pc.Flags(), m.phase.InheritFlags)
		}
	})
	if n.phase.LocalFlags != nil && name != "all" {
		n.phase.LocalFlags.VisitAll(func(f *pflag.Flag) {
			if pc.Flags().Lookup(f.Name) == nil {
				pc.Flags().AddFlag(f)
			}
		})
	}
	pc.Flags().AddFlag(outputFlag)
	pc.RunE = func(cmd *cobra.Command, args []string) (err error) {
		ctx, err := c.context(cmd, outputFlag.Value.String())
		if err != nil {
			return err
		}
		data, err := c.NewData(ctx, cmd, args)
		if err != nil {
			return err
		}
		defer closeData(data, &err)
		return c.Workflow.Run(ctx, data, RunOptions{Only: path, Reporter: reporterFrom(ctx)})
	}
	return pc
}

// inherit shares the named flags of src with dst: the same *pflag.Flag, so a
// value parsed by the phase command lands in the workflow's options.
func inherit(src, dst *pflag.FlagSet, names []string) {
	for _, name := range names {
		if f := src.Lookup(name); f != nil && dst.Lookup(name) == nil {
			dst.AddFlag(f)
		}
	}
}

func (c *Command[D]) context(cmd *cobra.Command, output string) (context.Context, error) {
	var r Reporter
	switch output {
	case OutputText:
		r = &TextReporter{Out: c.Out}
	case OutputJSON:
		r = &JSONReporter{Out: c.Out}
	default:
		return nil, fmt.Errorf("--%s %q: %w (use %q or %q)", options.Output, output, ErrOutputFormat, OutputText, OutputJSON)
	}
	ctx := cmd.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	return WithReporter(ctx, r), nil
}

// closeData closes data when it is an io.Closer and adds a failure to *err.
func closeData(data any, err *error) {
	c, ok := data.(io.Closer)
	if !ok {
		return
	}
	if cerr := c.Close(); cerr != nil {
		*err = errors.Join(*err, cerr)
	}
}

func reporterFrom(ctx context.Context) Reporter {
	r, _ := ctx.Value(reporterKey{}).(Reporter)
	return r
}

func requirePhase(cmd *cobra.Command, _ []string) error {
	var names []string
	for _, sub := range cmd.Commands() {
		if sub.IsAvailableCommand() {
			names = append(names, sub.Name())
		}
	}
	return fmt.Errorf("%w after %q: one of %s", ErrPhaseRequired, cmd.CommandPath(), strings.Join(names, ", "))
}
