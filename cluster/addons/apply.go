package addons

import (
	"context"
	"fmt"

	"github.com/kadm-project/kadm/cluster/objects"
)

// Apply creates every object of the addon, or updates the one already
// there, in order, through w (the one create-or-update engine, with its
// retry policy and the configured timeout). A rerun converges on the same
// objects but keeps what a user may have changed on purpose: the CoreDNS
// replica count and an edited Corefile.
func (a *Addon) Apply(ctx context.Context, w objects.Writer) error {
	for _, o := range a.objects {
		var opts []objects.Option
		if o.keep != nil {
			opts = append(opts, objects.KeepLive(o.keep))
		}
		if _, err := w.Apply(ctx, o.obj, opts...); err != nil {
			return fmt.Errorf("%s addon: %w", a.Name, err)
		}
	}
	return nil
}
