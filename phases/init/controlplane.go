package initphases

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/internal/progress"
	"github.com/kadm-project/kadm/node/controlplane"
	"github.com/kadm-project/kadm/node/staticpod"
	"github.com/kadm-project/kadm/phases"
	"github.com/kadm-project/kadm/phases/options"
	"github.com/kadm-project/kadm/phases/workflow"
)

func controlPlanePhase() workflow.Phase[Data] {
	common := []string{options.Config, options.CertificatesDir, options.KubernetesVersion, options.ImageRepository,
		options.Patches, options.DryRun}
	components := []struct {
		name, component string
		flags           []string
	}{
		{"apiserver", controlplane.KubeAPIServer, []string{options.APIServerAdvertiseAddress, options.ControlPlaneEndpoint,
			options.APIServerBindPort, options.APIServerExtraArgs, options.FeatureGates, options.ServiceCIDR}},
		{"controller-manager", controlplane.KubeControllerManager, []string{options.ControllerManagerExtraArgs, options.PodNetworkCIDR}},
		{"scheduler", controlplane.KubeScheduler, []string{options.SchedulerExtraArgs}},
	}
	p := workflow.Phase[Data]{
		Name:    "control-plane",
		Short:   "Generate all static Pod manifest files necessary to establish the control plane",
		Long:    "This command is not meant to be run on its own. See list of available subcommands.",
		WithAll: true,
		Run:     announceManifestDir,
	}
	for _, c := range components {
		p.Phases = append(p.Phases, workflow.Phase[Data]{
			Name:         c.name,
			Short:        fmt.Sprintf("Generates the %s static Pod manifest", c.component),
			Run:          createControlPlaneManifest(c.component),
			InheritFlags: append(common[:len(common):len(common)], c.flags...),
		})
	}
	return p
}

func announceManifestDir(ctx context.Context, d Data) error {
	progress.Printf(ctx, "[control-plane] Using manifest folder %q\n", d.ManifestDir())
	return nil
}

// createControlPlaneManifest writes one component's static Pod manifest,
// with the user's patches applied.
func createControlPlaneManifest(component string) func(context.Context, Data) error {
	return func(ctx context.Context, d Data) error {
		progress.Printf(ctx, "[control-plane] Creating static Pod manifest for %q\n", component)
		cfg := d.Cfg()
		certDir, kubeconfigDir := manifestDirs(d)
		pod, err := controlplane.Pod(component, controlplane.Input{
			Cluster:            d.ClusterCfg(),
			Endpoint:           cfg.LocalAPIEndpoint,
			CertificateDir:     certDir,
			KubeConfigDir:      kubeconfigDir,
			ExternalCA:         d.ExternalCA(),
			CACertDirs:         controlplane.HostCACertDirs(),
			Environ:            os.Environ(),
			HealthCheckTimeout: healthCheckTimeout(cfg),
		})
		if err != nil {
			return fmt.Errorf("build the %s static Pod: %w", component, err)
		}
		return writeStaticPod(ctx, d, pod)
	}
}

// manifestDirs are the certificate and kubeconfig directories a manifest
// names: where the component finds its files on the host. --dry-run
// redirects where kadm writes, but the manifests it shows must be those a
// real run writes, as kubeadm's are; kubeadm names /etc/kubernetes for the
// kubeconfig files then, so kadm does too.
func manifestDirs(d Data) (certDir, kubeconfigDir string) {
	if !d.DryRun() {
		return d.CertificatesDir(), d.KubeConfigDir()
	}
	return d.ClusterCfg().CertificatesDir, filepath.Dir(config.DefaultManifestsDir)
}

// writeStaticPod applies the --patches for the Pod and writes its manifest
// into the manifest directory; on --dry-run it also shows the manifest under
// the name a real run gives it.
func writeStaticPod(ctx context.Context, d Data, pod *corev1.Pod) error {
	set, err := d.Patches(ctx)
	if err != nil {
		return err
	}
	pod, err = phases.PatchStaticPod(ctx, pod, set)
	if err != nil {
		return err
	}
	path, _, err := staticpod.Write(d.ManifestDir(), pod)
	if err != nil || !d.DryRun() {
		return err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("show the dry-run manifest: %w", err)
	}
	progress.Printf(ctx, "[dryrun] Would write file %q with content:\n%s", staticpod.Path(config.DefaultManifestsDir, pod.Name), data)
	return nil
}

// healthCheckTimeout is how long the startup probes let a component take.
func healthCheckTimeout(cfg *config.InitConfiguration) time.Duration {
	if t := cfg.Timeouts; t != nil && t.ControlPlaneComponentHealthCheck != nil {
		return t.ControlPlaneComponentHealthCheck.Duration
	}
	return config.DefaultControlPlaneComponentHealthCheckTimeout
}
