package joinphases

import (
	"context"
	"fmt"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/internal/progress"
	"github.com/kadm-project/kadm/node/machine"
	"github.com/kadm-project/kadm/phases"
	"github.com/kadm-project/kadm/preflight"
)

// runPreflight checks for root first, alone, so that a user without it gets
// one clear error instead of a list of consequences; then the node checks;
// then, like kubeadm, it reads the cluster's configuration, so that a join
// that cannot reach or read the cluster stops before anything is written.
func runPreflight(ctx context.Context, d Data, h machine.Host) error {
	progress.Printf(ctx, "[preflight] Running pre-flight checks\n")
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
	state, err := d.InitCfg(ctx)
	if err != nil {
		return err
	}
	if d.Cfg().ControlPlane == nil {
		return nil
	}
	return controlPlanePreflight(ctx, d, state.Cluster, h)
}

// controlPlanePreflight checks that the cluster can take another
// control-plane node and that this host can be one: kubeadm's init checks
// for a control-plane node, then, without a certificate key, the shared
// certificates that must have been copied by hand.
func controlPlanePreflight(ctx context.Context, d Data, cluster *config.ClusterConfiguration, h machine.Host) error {
	cfg := d.Cfg()
	if cluster.ControlPlaneEndpoint == "" {
		return fmt.Errorf("%w: unable to add a new control plane instance to a cluster that doesn't have a stable controlPlaneEndpoint address: "+
			"set controlPlaneEndpoint (a load balancer or DNS name for every API server) in the ClusterConfiguration of the kube-system/kubeadm-config ConfigMap, "+
			"update the API server certificates for it, then join again", preflight.ErrChecksFailed)
	}
	progress.Printf(ctx, "[preflight] Running pre-flight checks before initializing the new control plane instance\n")
	initCfg := &config.InitConfiguration{NodeRegistration: cfg.NodeRegistration, LocalAPIEndpoint: cfg.ControlPlane.LocalAPIEndpoint}
	checks := preflight.InitChecks(ctx, preflight.InitParams{
		Cfg:           initCfg,
		Cluster:       cluster,
		ManifestDir:   d.ManifestDir(),
		KadmVersion:   config.DefaultKubernetesVersion,
		Secondary:     true,
		DownloadCerts: cfg.ControlPlane.CertificateKey != "",
	}, h)
	if err := phases.RunChecks(ctx, checks, d.IgnorePreflightErrors()); err != nil {
		return err
	}
	if cfg.ControlPlane.CertificateKey == "" {
		if missing := missingFiles(sharedFiles(cluster)); len(missing) > 0 {
			return fmt.Errorf("%w: one or more conditions for hosting a new control plane instance is not satisfied: the shared certificates %v are missing; "+
				"join with --certificate-key (from '%s init phase upload-certs --upload-certs' on a control-plane node), or copy them from a control-plane node",
				preflight.ErrChecksFailed, missing, d.Program())
		}
	}
	return phases.PullImages(ctx, h, d.Program(), &cfg.NodeRegistration, cluster, d.DryRun(), d.IgnorePreflightErrors())
}
