package resetphases

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/kadm-project/kadm/internal/progress"
	"github.com/kadm-project/kadm/phases"
	"github.com/kadm-project/kadm/phases/options"
	"github.com/kadm-project/kadm/preflight"
)

// ErrNotConfirmed is the answer to the prompt that was not yes.
var ErrNotConfirmed = errors.New("won't proceed; the user didn't answer (Y|y) in order to continue")

// runPreflight asks for confirmation, unless --force or --dry-run, and
// checks for root.
func runPreflight(ctx context.Context, d Data) error {
	if !d.Force() && !d.DryRun() {
		progress.Printf(ctx, "[reset] WARNING: Changes made to this host by '%s init' or '%s join' will be reverted.\n", d.Program(), d.Program())
		if err := confirm(ctx, d); err != nil {
			return err
		}
	}
	progress.Printf(ctx, "[preflight] Running pre-flight checks\n")
	return phases.RunChecks(ctx, preflight.RootChecks(d.Host()), d.IgnorePreflightErrors())
}

// confirm reads one line; "y" or "yes", in any case, goes on. Anything
// else, an empty input included, stops the run, so that reset run without
// a terminal and without --force never waits and never deletes.
func confirm(ctx context.Context, d Data) error {
	progress.Printf(ctx, "[reset] Are you sure you want to proceed? [y/N]: ")
	sc := bufio.NewScanner(d.In())
	if !sc.Scan() {
		// End of input: end the prompt's line before the error.
		progress.Printf(ctx, "\n")
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read the answer from standard input: %w (pass --%s to reset without asking)", err, options.Force)
	}
	switch strings.ToLower(strings.TrimSpace(sc.Text())) {
	case "y", "yes":
		return nil
	}
	return fmt.Errorf("%w (pass --%s to reset without asking)", ErrNotConfirmed, options.Force)
}
