package initphases

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/kadm-project/kadm/app/options"
	"github.com/kadm-project/kadm/app/workflow"
	"github.com/kadm-project/kadm/controlplane"
	"github.com/kadm-project/kadm/health"
	"github.com/kadm-project/kadm/kubelet"
	"github.com/kadm-project/kadm/phases"
	"github.com/kadm-project/kadm/staticpod"
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
	workflow.Printf(ctx, "[wait-control-plane] Waiting for the kubelet to boot up the control plane as static Pods from directory %q\n", d.ManifestDir())
	if d.DryRun() {
		workflow.Printf(ctx, "[dryrun] Would wait for the kubelet and the control-plane components to become healthy\n")
		return nil
	}
	if err := waitKubelet(ctx, d, timeouts.KubeletHealthCheck.Duration); err != nil {
		return err
	}
	pods := map[string]*corev1.Pod{}
	for _, name := range controlplane.Components() {
		pod, err := staticpod.Read(staticpod.Path(d.ManifestDir(), name))
		if err != nil {
			return err
		}
		pods[name] = pod
	}
	comps, err := health.ControlPlaneComponents(pods, d.Cfg().LocalAPIEndpoint.AdvertiseAddress)
	if err != nil {
		return err
	}
	cpTimeout := timeouts.ControlPlaneComponentHealthCheck.Duration
	workflow.Printf(ctx, "[control-plane-check] Waiting for healthy control plane components. This can take up to %v\n", cpTimeout)
	report := func(format string, args ...any) { workflow.Printf(ctx, format, args...) }
	if err := health.Wait(ctx, comps, cpTimeout, report); err != nil {
		return fmt.Errorf("the control plane did not come up: %w; list the containers with 'crictl --runtime-endpoint %s ps -a' and read the failing one's logs", err, d.Cfg().NodeRegistration.CRISocket)
	}
	return nil
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
