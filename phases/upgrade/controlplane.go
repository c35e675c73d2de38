package upgradephases

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	corev1 "k8s.io/api/core/v1"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/internal/progress"
	"github.com/kadm-project/kadm/node/controlplane"
	"github.com/kadm-project/kadm/node/rollout"
	"github.com/kadm-project/kadm/node/staticpod"
	"github.com/kadm-project/kadm/phases"
	"github.com/kadm-project/kadm/phases/options"
	"github.com/kadm-project/kadm/phases/workflow"
)

var controlPlaneFlags = []string{options.Config, options.Kubeconfig, options.DryRun, options.CertificateRenewal, options.EtcdUpgrade, options.Patches}

func applyControlPlanePhase() workflow.Phase[ApplyData] {
	return workflow.Phase[ApplyData]{
		Name:         "control-plane",
		Short:        "Upgrade the control plane",
		Run:          func(ctx context.Context, d ApplyData) error { return upgradeControlPlane(ctx, d, true) },
		InheritFlags: controlPlaneFlags,
	}
}

func nodeControlPlanePhase() workflow.Phase[Data] {
	return workflow.Phase[Data]{
		Name:  "control-plane",
		Short: "Upgrade the control plane instance deployed on this node, if any",
		Run: func(ctx context.Context, d Data) error {
			if !d.Node().ControlPlane {
				progress.Printf(ctx, "[upgrade/control-plane] Skipping phase. Not a control plane node.\n")
				return nil
			}
			return upgradeControlPlane(ctx, d, false)
		},
		InheritFlags: controlPlaneFlags,
	}
}

// upgradeControlPlane replaces this node's etcd (when stacked and --etcd-upgrade), API
// server, controller manager and scheduler, in that order, one at a time; each waits for
// the one before it to run the new version, so the skew between them never exceeds
// what Kubernetes supports.
func upgradeControlPlane(ctx context.Context, d Data, apply bool) error {
	cluster := d.Cluster()
	timeout := d.Cfg().Timeouts.UpgradeManifests.Duration
	if apply {
		progress.Printf(ctx, "[upgrade/control-plane] Upgrading your static Pod-hosted control plane to version %q (timeout: %v)...\n", cluster.KubernetesVersion, timeout)
	} else {
		progress.Printf(ctx, "[upgrade/control-plane] Upgrading your Static Pod-hosted control plane instance to version %q...\n", cluster.KubernetesVersion)
	}
	pods, err := controlPlanePods(ctx, d)
	if err != nil {
		return err
	}
	if d.DryRun() {
		return dryRunManifests(ctx, d, pods)
	}
	waiter, err := d.Waiter(ctx)
	if err != nil {
		return err
	}
	m := &rollout.Manifests{Dir: d.ManifestDir(), KubernetesDir: d.KubernetesDir(), Timeout: timeout, Waiter: waiter}
	for _, pod := range pods {
		if pod.Name == etcdName {
			err = upgradeEtcd(ctx, d, m, pod)
		} else {
			_, err = m.Replace(ctx, pod, renewFor(ctx, d, pod.Name))
		}
		if err != nil {
			return fmt.Errorf("couldn't complete the static pod upgrade: %w", err)
		}
	}
	if d.RenewCerts() {
		if err := renewAdminConfs(ctx, d); err != nil {
			return err
		}
	}
	if dir := m.BackupDir(); dir != "" {
		progress.Printf(ctx, "[upgrade/staticpods] The previous manifests are kept in %q\n", dir)
	}
	progress.Printf(ctx, "[upgrade/control-plane] The control plane instance for this node was successfully upgraded!\n")
	return nil
}

// controlPlanePods builds the new Pods, patched, in upgrade order.
func controlPlanePods(ctx context.Context, d Data) ([]*corev1.Pod, error) {
	cluster, node := d.Cluster(), d.Node()
	set, err := d.Patches(ctx)
	if err != nil {
		return nil, err
	}
	var pods []*corev1.Pod
	if cluster.Etcd.Local != nil && d.EtcdUpgrade() {
		pod, err := etcdPod(d)
		if err != nil {
			return nil, err
		}
		pods = append(pods, pod)
	}
	certDir := cluster.CertificatesDir
	for _, component := range controlplane.Components() {
		pod, err := controlplane.Pod(component, controlplane.Input{
			Cluster:            cluster,
			Endpoint:           node.Endpoint,
			CertificateDir:     certDir,
			KubeConfigDir:      d.KubernetesDir(),
			ExternalCA:         externalCA(certDir),
			CACertDirs:         controlplane.HostCACertDirs(),
			Environ:            os.Environ(),
			HealthCheckTimeout: d.Cfg().Timeouts.ControlPlaneComponentHealthCheck.Duration,
		})
		if err != nil {
			return nil, fmt.Errorf("build the %s static Pod: %w", component, err)
		}
		pods = append(pods, pod)
	}
	for i, pod := range pods {
		if pods[i], err = phases.PatchStaticPod(ctx, pod, set); err != nil {
			return nil, err
		}
	}
	return pods, nil
}

// externalCA is true when the cluster CA's key is not on this node.
func externalCA(certDir string) bool {
	_, errCrt := os.Stat(filepath.Join(certDir, "ca.crt"))
	_, errKey := os.Stat(filepath.Join(certDir, "ca.key"))
	return errCrt == nil && os.IsNotExist(errKey)
}

// dryRunManifests writes the new manifests into the dry run's directory and shows them
// under the names a real run gives them.
func dryRunManifests(ctx context.Context, d Data, pods []*corev1.Pod) error {
	progress.Printf(ctx, "[dryrun] Would upgrade your static Pod-hosted control plane to version %q\n", d.Cluster().KubernetesVersion)
	for _, pod := range pods {
		path, _, err := staticpod.Write(d.DryRunDir(), pod)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		progress.Printf(ctx, "[dryrun] Would write file %q with content:\n%s", staticpod.Path(config.DefaultManifestsDir, pod.Name), data)
	}
	return nil
}
