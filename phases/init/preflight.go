package initphases

import (
	"context"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/internal/progress"
	"github.com/kadm-project/kadm/node/machine"
	"github.com/kadm-project/kadm/phases"
	"github.com/kadm-project/kadm/phases/options"
	"github.com/kadm-project/kadm/phases/workflow"
	"github.com/kadm-project/kadm/preflight"
)

func preflightPhase() workflow.Phase[Data] {
	return workflow.Phase[Data]{
		Name:    "preflight",
		Short:   "Run pre-flight checks",
		Long:    "Run pre-flight checks for kubeadm init.",
		Example: "  # Run pre-flight checks for kubeadm init using a config file.\n  kubeadm init phase preflight --config kubeadm-config.yaml",
		Run: func(ctx context.Context, d Data) error {
			return runPreflight(ctx, d, d.Host())
		},
		InheritFlags: []string{options.Config, options.ImageRepository, options.CRISocket,
			options.IgnorePreflightErrors, options.DryRun},
	}
}

// runPreflight checks for root first, alone, so that a user without it gets
// one clear error instead of a list of consequences; then the node; then it
// pulls the control plane's images.
func runPreflight(ctx context.Context, d Data, h machine.Host) error {
	progress.Printf(ctx, "[preflight] Running pre-flight checks\n")
	ignore := d.IgnorePreflightErrors()
	if err := phases.RunChecks(ctx, preflight.RootChecks(h), ignore); err != nil {
		return err
	}
	checks := preflight.InitChecks(ctx, preflight.InitParams{
		Cfg:         d.Cfg(),
		Cluster:     d.ClusterCfg(),
		ManifestDir: d.ManifestDir(),
		KadmVersion: config.DefaultKubernetesVersion,
	}, h)
	if err := phases.RunChecks(ctx, checks, ignore); err != nil {
		return err
	}
	return phases.PullImages(ctx, h, d.Program(), &d.Cfg().NodeRegistration, d.ClusterCfg(), d.DryRun(), ignore)
}
