package app

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/phases/workflow"
	"github.com/kadm-project/kadm/preflight"
)

// Exit codes; the README's table lists the same.
const (
	ExitOK          = 0
	ExitFailure     = 1
	ExitUsage       = 2
	ExitPreflight   = 3
	ExitTimeout     = 4
	ExitInterrupted = 130
)

// usageError is bad input: a flag, an argument or a configuration that kadm
// will not act on. It prints the command's usage and exits with ExitUsage.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Errorf(format, args...)}
}

// runError marks an error returned by a command's own work, as opposed to
// the errors cobra returns while parsing flags and arguments, which are all
// usage errors.
type runError struct{ err error }

func (e *runError) Error() string { return e.err.Error() }
func (e *runError) Unwrap() error { return e.err }

// markRunErrors wraps the RunE of c and its subcommands so that Run can tell
// their errors from cobra's parsing errors.
func markRunErrors(c *cobra.Command) {
	if run := c.RunE; run != nil {
		c.RunE = func(cmd *cobra.Command, args []string) error {
			if err := run(cmd, args); err != nil {
				return &runError{err}
			}
			return nil
		}
	}
	for _, sub := range c.Commands() {
		markRunErrors(sub)
	}
}

// isUsage reports whether err is bad input from the user.
func isUsage(err error) bool {
	var ue *usageError
	var ve *config.ValidationError
	var de *config.DecodeError
	switch {
	case errors.As(err, &ue), errors.As(err, &ve), errors.As(err, &de),
		errors.Is(err, workflow.ErrUnknownPhase),
		errors.Is(err, workflow.ErrPhaseRequired),
		errors.Is(err, workflow.ErrOutputFormat):
		return true
	}
	var re *runError
	return !errors.As(err, &re)
}

// ExitCode maps an error returned by Run to the process exit code. It is the
// only place that does.
func ExitCode(err error) int {
	switch {
	case err == nil:
		return ExitOK
	case isUsage(err):
		return ExitUsage
	case errors.Is(err, preflight.ErrChecksFailed):
		return ExitPreflight
	case errors.Is(err, context.Canceled):
		return ExitInterrupted
	case errors.Is(err, context.DeadlineExceeded):
		return ExitTimeout
	default:
		return ExitFailure
	}
}

// printError writes err for a person. Flag and argument errors come with
// the usage of the command they concern; a configuration error names its
// file and fields and would only be buried under the flag list.
func printError(w io.Writer, cmd *cobra.Command, err error) {
	if !isUsage(err) {
		fmt.Fprintln(w, err)
		return
	}
	fmt.Fprintf(w, "Error: %v\n", err)
	if cmd == nil {
		return
	}
	var ve *config.ValidationError
	var de *config.DecodeError
	if !errors.As(err, &ve) && !errors.As(err, &de) {
		fmt.Fprint(w, cmd.UsageString())
	}
	fmt.Fprintf(w, "See '%s --help' for more.\n", cmd.CommandPath())
}
