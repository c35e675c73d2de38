package initphases

import (
	"context"

	"github.com/kadm-project/kadm/phases"
)

// patcher is phases.Patcher for the run's --patches set; nil without --patches.
func patcher(ctx context.Context, d Data) (func(target string, doc []byte) ([]byte, error), error) {
	set, err := d.Patches(ctx)
	if err != nil || set == nil {
		return nil, err
	}
	return phases.Patcher(ctx, set), nil
}
