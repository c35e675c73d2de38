package resetphases

import (
	"context"

	"github.com/kadm-project/kadm/internal/progress"
	"github.com/kadm-project/kadm/phases"
	"github.com/kadm-project/kadm/phases/options"
	"github.com/kadm-project/kadm/preflight"
)

// runPreflight asks for confirmation, unless --force or --dry-run, and
// checks for root.
func runPreflight(ctx context.Context, d Data) error {
	if !d.Force() && !d.DryRun() {
		progress.Printf(ctx, "[reset] WARNING: Changes made to this host by '%s init' or '%s join' will be reverted.\n", d.Program(), d.Program())
		if err := phases.Confirm(ctx, d.In(), "reset", "Are you sure you want to proceed?", options.Force); err != nil {
			return err
		}
	}
	progress.Printf(ctx, "[preflight] Running pre-flight checks\n")
	return phases.RunChecks(ctx, preflight.RootChecks(d.Host()), d.IgnorePreflightErrors())
}
