package initphases

import (
	"context"
	"time"

	"github.com/kadm-project/kadm/internal/progress"
	"github.com/kadm-project/kadm/node/kubelet"
	"github.com/kadm-project/kadm/phases"
	"github.com/kadm-project/kadm/phases/options"
	"github.com/kadm-project/kadm/phases/workflow"
)

func waitControlPlanePhase() workflow.Phase[Data] {
	return workflow.Phase[Data]{
		Name:         "wait-control-plane",
		Short:        "Wait for the control plane to start",
		Run:          waitControlPlane,
		InheritFlags: []string{options.Config, options.DryRun},
	}
}

// waitControlPlane waits for the kubelet and then for every control-plane
// component's health endpoint, each bounded by its configured timeout.
func waitControlPlane(ctx context.Context, d Data) error {
	timeouts := d.Cfg().Timeouts
	progress.Printf(ctx, "[wait-control-plane] Waiting for the kubelet to boot up the control plane as static Pods from directory %q\n", d.ManifestDir())
	if d.DryRun() {
		progress.Printf(ctx, "[dryrun] Would wait for the kubelet and the control-plane components to become healthy\n")
		return nil
	}
	if err := waitKubelet(ctx, d, timeouts.KubeletHealthCheck.Duration); err != nil {
		return err
	}
	return phases.WaitControlPlane(ctx, d.ManifestDir(), d.Cfg().LocalAPIEndpoint.AdvertiseAddress, d.Cfg().NodeRegistration.CRISocket,
		timeouts.ControlPlaneComponentHealthCheck.Duration)
}

// waitKubelet waits for the kubelet's /healthz, at the address the
// cluster's KubeletConfiguration gives it, unless that disables it.
func waitKubelet(ctx context.Context, d Data, timeout time.Duration) error {
	kc, _, err := kubelet.ClusterConfig(d.KubeletConfigDocument(), d.ClusterCfg())
	if err != nil {
		return err
	}
	return phases.WaitKubeletHealthy(ctx, kc, timeout)
}
