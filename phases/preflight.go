package phases

import (
	"context"

	"github.com/kadm-project/kadm/internal/progress"
	"github.com/kadm-project/kadm/preflight"
)

// RunChecks runs checks and prints their warnings; the errors travel in the
// returned error, which matches preflight.ErrChecksFailed.
func RunChecks(ctx context.Context, checks []preflight.Check, ignore []string) error {
	r, err := preflight.Run(ctx, checks, ignore)
	for _, line := range r.WarningLines() {
		progress.Printf(ctx, "%s\n", line)
	}
	return err
}
