package initphases

import (
	"context"

	"github.com/kadm-project/kadm/app/workflow"
)

// patcher turns the run's --patches set into the function the kubelet and
// addon code call for their targets, reporting each patch it applies; nil
// without --patches. Its type is unnamed so it fits both packages' hooks.
func patcher(ctx context.Context, d Data) (func(target string, doc []byte) ([]byte, error), error) {
	set, err := d.Patches(ctx)
	if err != nil || set == nil {
		return nil, err
	}
	return func(target string, doc []byte) ([]byte, error) {
		out, applied, err := set.Apply(target, doc)
		if err != nil {
			return nil, err
		}
		for _, a := range applied {
			workflow.Printf(ctx, "[patches] Applied patch of type %q to target %q\n", a.Type, a.Target)
		}
		return out, nil
	}, nil
}
