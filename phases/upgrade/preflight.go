package upgradephases

import (
	"context"
	"fmt"
	"os"

	"github.com/kadm-project/kadm/cluster/clusterhealth"
	"github.com/kadm-project/kadm/cluster/objects"
	"github.com/kadm-project/kadm/cluster/upgradeplan"
	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/internal/progress"
	"github.com/kadm-project/kadm/node/controlplane"
	"github.com/kadm-project/kadm/node/staticpod"
	"github.com/kadm-project/kadm/phases"
	"github.com/kadm-project/kadm/phases/options"
	"github.com/kadm-project/kadm/phases/workflow"
	"github.com/kadm-project/kadm/preflight"
)

func applyPreflightPhase() workflow.Phase[ApplyData] {
	return workflow.Phase[ApplyData]{
		Name:  "preflight",
		Short: "Run preflight checks before upgrade",
		Run:   runApplyPreflight,
		InheritFlags: []string{options.Config, options.Kubeconfig, options.Force, options.DryRun, options.IgnorePreflightErrors,
			options.AllowExperimentalUpgrades, options.AllowRCUpgrades, options.Yes},
	}
}

func nodePreflightPhase() workflow.Phase[Data] {
	return workflow.Phase[Data]{
		Name:         "preflight",
		Short:        "Run upgrade node pre-flight checks",
		Long:         "Run pre-flight checks for kubeadm upgrade node.",
		Run:          runNodePreflight,
		InheritFlags: []string{options.Config, options.IgnorePreflightErrors},
	}
}

func apiPolicy(d Data) objects.Policy {
	return objects.Policy{Timeout: d.Cfg().Timeouts.KubernetesAPICall.Duration}
}

// runApplyPreflight checks this node, the cluster's health and the version-skew policy,
// asks for confirmation, and says how the images get to the node.
func runApplyPreflight(ctx context.Context, d ApplyData) error {
	progress.Printf(ctx, "[upgrade/preflight] Running preflight checks\n")
	cluster, node := d.Cluster(), d.Node()
	checks := append(preflight.RootChecks(d.Host()), preflight.UpgradeChecks(d.Host(), node.CRISocket, cluster.KubernetesVersion, d.KadmVersion())...)
	if err := phases.RunChecks(ctx, checks, d.IgnorePreflightErrors()); err != nil {
		return err
	}
	client, err := d.Client(ctx)
	if err != nil {
		return err
	}
	if err := phases.RunChecks(ctx, []preflight.Check{coreDNSMigration{client: client, cluster: cluster}}, d.IgnorePreflightErrors()); err != nil {
		return err
	}
	progress.Printf(ctx, "[upgrade] Running cluster health checks\n")
	health := []preflight.Check{
		StaticPodManifests(d.ManifestDir()),
		clusterhealth.ControlPlaneNodesReady{Client: client, Policy: apiPolicy(d)},
	}
	if d.DryRun() {
		progress.Printf(ctx, "[dryrun] Would create a Job to check that the cluster runs a Pod\n")
	} else {
		health = append(health, clusterhealth.CreateJob{Client: client, Policy: apiPolicy(d), Image: config.PauseImage(cluster)})
	}
	if err := phases.RunChecks(ctx, health, d.IgnorePreflightErrors()); err != nil {
		return err
	}
	state, err := upgradeplan.Read(ctx, client, apiPolicy(d))
	if err != nil {
		return err
	}
	target := cluster.KubernetesVersion
	progress.Printf(ctx, "[upgrade/preflight] You have chosen to upgrade the cluster version to %q\n", target)
	progress.Printf(ctx, "[upgrade/versions] Cluster version: %s\n", state.ClusterVersion)
	progress.Printf(ctx, "[upgrade/versions] %s version: %s\n", d.Program(), d.KadmVersion())
	skew := upgradeplan.CheckSkew(state.ClusterVersion, state.Kubelet, d.KadmVersion(), upgradeplan.Target{
		Version: target, Minimum: config.MinimumControlPlaneVersion,
		AllowExperimental: d.AllowExperimentalUpgrades(), AllowRC: d.AllowRCUpgrades(),
	})
	if err := skew.Enforce(d.ForceUpgrade(), func(f string, a ...any) { progress.Printf(ctx, f, a...) }); err != nil {
		return err
	}
	if d.Interactive() {
		if err := phases.Confirm(ctx, d.In(), "upgrade", "Are you sure you want to proceed?", options.Yes); err != nil {
			return err
		}
	}
	reportImages(ctx, d)
	return nil
}

// runNodePreflight checks this node for the version the control plane now runs.
func runNodePreflight(ctx context.Context, d Data) error {
	progress.Printf(ctx, "[upgrade/preflight] Running pre-flight checks\n")
	checks := append(preflight.RootChecks(d.Host()), preflight.UpgradeChecks(d.Host(), d.Node().CRISocket, d.Cluster().KubernetesVersion, d.KadmVersion())...)
	if err := phases.RunChecks(ctx, checks, d.IgnorePreflightErrors()); err != nil {
		return err
	}
	if !d.Node().ControlPlane {
		progress.Printf(ctx, "[upgrade/preflight] Skipping prepull. Not a control plane node.\n")
		return nil
	}
	reportImages(ctx, d)
	return nil
}

// reportImages says where the new images come from: kadm pulls none itself, the kubelet
// pulls what a new manifest names when it is missing (imagePullPolicy IfNotPresent).
func reportImages(ctx context.Context, d Data) {
	images := config.Images(d.Cluster())
	if d.DryRun() {
		progress.Printf(ctx, "[dryrun] Would use the images %v\n", images)
		return
	}
	progress.Printf(ctx, "[upgrade/preflight] The kubelet pulls the images of the new control plane when it starts it, unless they are present: %v\n", images)
}

// StaticPodManifests is kubeadm's StaticPodManifest check: the manifests in dir that the
// upgrade replaces must be there.
func StaticPodManifests(dir string) preflight.Check { return staticPodManifests{dir: dir} }

type staticPodManifests struct{ dir string }

func (staticPodManifests) Name() string { return "StaticPodManifest" }

func (c staticPodManifests) Check(context.Context) (warnings, errs []error) {
	var missing []string
	for _, component := range controlplane.Components() {
		path := staticpod.Path(c.dir, component)
		if _, err := os.Stat(path); os.IsNotExist(err) {
			missing = append(missing, path)
		}
	}
	if len(missing) > 0 {
		return nil, []error{fmt.Errorf("manifest files not found: %v", missing)}
	}
	return nil, nil
}
