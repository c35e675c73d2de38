package joinphases

import (
	"context"

	"github.com/kadm-project/kadm/app/workflow"
	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/phases"
	"github.com/kadm-project/kadm/preflight"
)

// runPreflight checks for root first, alone, so that a user without it gets
// one clear error instead of a list of consequences; then the node checks;
// then, like kubeadm, it reads the cluster's configuration, so that a join
// that cannot reach or read the cluster stops before anything is written.
func runPreflight(ctx context.Context, d Data, h preflight.Host) error {
	workflow.Printf(ctx, "[preflight] Running pre-flight checks\n")
	ignore := d.IgnorePreflightErrors()
	if err := phases.RunChecks(ctx, preflight.RootChecks(h), ignore); err != nil {
		return err
	}
	checks := preflight.JoinChecks(ctx, preflight.JoinParams{
		Cfg:           d.Cfg(),
		KubeconfigDir: d.KubeConfigDir(),
		KadmVersion:   config.DefaultKubernetesVersion,
	}, h)
	if err := phases.RunChecks(ctx, checks, ignore); err != nil {
		return err
	}
	if _, err := d.InitCfg(ctx); err != nil {
		return err
	}
	if d.Cfg().ControlPlane != nil {
		return phases.NotImplemented("the pre-flight checks of a control-plane join", 5)
	}
	return nil
}
