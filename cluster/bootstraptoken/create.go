package bootstraptoken

import (
	"context"
	"fmt"
	"time"

	bootstraputil "k8s.io/cluster-bootstrap/token/util"

	"github.com/kadm-project/kadm/cluster/objects"
	"github.com/kadm-project/kadm/config"
)

// Generate fills in a random token value for every token that has none.
func Generate(ts []config.BootstrapToken) error {
	for i := range ts {
		if ts[i].Token != nil && ts[i].Token.ID != "" {
			continue
		}
		raw, err := bootstraputil.GenerateBootstrapToken()
		if err != nil {
			return fmt.Errorf("generate a bootstrap token: %w", err)
		}
		if ts[i].Token, err = config.NewBootstrapTokenString(raw); err != nil {
			return fmt.Errorf("generate a bootstrap token: %w", err)
		}
	}
	return nil
}

// Create makes (or brings up to date) the Secret of every token with w; a
// TTL counts from now.
func Create(ctx context.Context, w objects.Writer, ts []config.BootstrapToken, now time.Time) error {
	for _, t := range ts {
		secret, err := Secret(t, now)
		if err != nil {
			return err
		}
		if _, err := w.Apply(ctx, secret); err != nil {
			return fmt.Errorf("create bootstrap token %s: %w", t.Token, err)
		}
	}
	return nil
}
