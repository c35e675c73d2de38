package tokens

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	bootstrapapi "k8s.io/cluster-bootstrap/token/api"
	bootstraputil "k8s.io/cluster-bootstrap/token/util"

	"github.com/kadm-project/kadm/bootstraptoken"
	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/objects"
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

// Validate checks what the API server and the token authenticator will
// accept of t: its value, usages, groups and lifetime. Errors name the token
// by ID only.
func Validate(t config.BootstrapToken) error {
	if t.Token == nil {
		return config.ValidateToken("")
	}
	if err := config.ValidateToken(t.Token.Token()); err != nil {
		return err
	}
	for _, u := range t.Usages {
		if !slices.Contains(bootstrapapi.KnownTokenUsages, u) {
			return fmt.Errorf("token %s: usage %q is unknown: use %s", t.Token, u, strings.Join(bootstrapapi.KnownTokenUsages, " or "))
		}
	}
	if len(t.Groups) > 0 && !slices.Contains(t.Usages, config.TokenUsageAuthentication) {
		return fmt.Errorf("token %s: groups can be set only when the usages include %q", t.Token, config.TokenUsageAuthentication)
	}
	for _, g := range t.Groups {
		if err := bootstraputil.ValidateBootstrapGroupName(g); err != nil {
			return fmt.Errorf("token %s: %w", t.Token, err)
		}
	}
	if t.TTL != nil && t.Expires != nil {
		return fmt.Errorf("token %s: ttl and expires are mutually exclusive: set one of them", t.Token)
	}
	if t.TTL != nil && t.TTL.Duration < 0 {
		return fmt.Errorf("token %s: ttl %s is negative: use 0 for a token that never expires", t.Token, t.TTL.Duration)
	}
	return nil
}

// Create makes (or brings up to date) the Secret of every token with w; a
// TTL counts from now.
func Create(ctx context.Context, w objects.Writer, ts []config.BootstrapToken, now time.Time) error {
	for _, t := range ts {
		secret, err := bootstraptoken.Secret(t, now)
		if err != nil {
			return err
		}
		if _, err := w.Apply(ctx, secret); err != nil {
			return fmt.Errorf("create bootstrap token %s: %w", t.Token, err)
		}
	}
	return nil
}
