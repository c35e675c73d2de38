package app

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/kadm-project/kadm/cluster/kube"
	"github.com/spf13/cobra"

	"github.com/kadm-project/kadm/cluster/objects"
	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/internal/udiff"
	"github.com/kadm-project/kadm/node/controlplane"
	"github.com/kadm-project/kadm/node/staticpod"
	"github.com/kadm-project/kadm/phases/options"
)

// diffOptions holds the flags of `upgrade diff`.
type diffOptions struct {
	kubeconfig, cfgPath string
	contextLines        int
	clientFrom          func(path string) (kube.Interface, error)
	dirs                upgradeDirs
}

func newDiffOptions() *diffOptions {
	return &diffOptions{kubeconfig: config.DefaultAdminConf, contextLines: 3, clientFrom: clientFromKubeconfig, dirs: defaultUpgradeDirs()}
}

func newUpgradeDiffCmd(s IOStreams, o *diffOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "diff [version]",
		Short: "Show what differences would be applied to existing static pod manifests. See also: kubeadm upgrade apply --dry-run",
		Args:  cobra.MaximumNArgs(1),
		RunE:  func(cmd *cobra.Command, args []string) error { return runDiff(cmd.Context(), cmd, args, o, s.Out) },
	}
	f := cmd.Flags()
	f.StringVar(&o.kubeconfig, options.Kubeconfig, o.kubeconfig, options.HelpKubeconfig)
	f.StringVar(&o.cfgPath, options.Config, "", options.HelpConfig)
	f.IntVarP(&o.contextLines, options.ContextLines, "c", o.contextLines, "How many lines of context in the diff")
	return cmd
}

// runDiff prints, for the API server, controller manager and scheduler of this node, the
// unified diff from the manifest on disk to the one `upgrade apply` would write for the
// version given (or the file's diff.kubernetesVersion, or the cluster's own version).
func runDiff(ctx context.Context, cmd *cobra.Command, args []string, o *diffOptions, out io.Writer) error {
	for _, component := range controlplane.Components() {
		path := staticpod.Path(o.dirs.manifests, component)
		fi, err := os.Stat(path)
		if err != nil {
			return fmt.Errorf("the manifest file %q does not exist: %w (upgrade diff runs on a control-plane node)", path, err)
		}
		if fi.IsDir() {
			return fmt.Errorf("%q is a directory", path)
		}
	}
	cfg, err := loadUpgradeConfig(o.cfgPath, "upgrade diff")
	if err != nil {
		return err
	}
	config.SetUpgradeDefaults(cfg)
	if err := config.ValidateUpgrade(cfg); err != nil {
		return config.WithSource(err, o.cfgPath)
	}
	context := o.contextLines
	if !cmd.Flags().Changed(options.ContextLines) && cfg.Diff.DiffContextLines > 0 {
		context = cfg.Diff.DiffContextLines
	}
	client, err := o.clientFrom(o.kubeconfig)
	if err != nil {
		return fmt.Errorf("couldn't create a Kubernetes client from file %q: %w", o.kubeconfig, err)
	}
	cluster, err := readUpgradeCluster(ctx, client, objects.Policy{Timeout: cfg.Timeouts.KubernetesAPICall.Duration}, cmd.Root().Name(), "upgrade/diff")
	if err != nil {
		return err
	}
	target := cluster.KubernetesVersion
	if cfg.Diff.KubernetesVersion != "" {
		target = cfg.Diff.KubernetesVersion
	}
	if len(args) == 1 {
		target = args[0]
	}
	if _, err := config.ResolveKubernetesVersion(target); err != nil {
		return usagef("[version] %v", err)
	}
	cluster.KubernetesVersion = config.NormalizeKubernetesVersion(target)
	node, err := localNode(o.dirs.kubernetes, o.dirs.manifests, o.dirs.kubelet)
	if err != nil {
		return err
	}
	for _, component := range controlplane.Components() {
		pod, err := controlplane.Pod(component, controlplane.Input{
			Cluster:            cluster,
			Endpoint:           node.Endpoint,
			CertificateDir:     cluster.CertificatesDir,
			KubeConfigDir:      o.dirs.kubernetes,
			CACertDirs:         controlplane.HostCACertDirs(),
			Environ:            os.Environ(),
			HealthCheckTimeout: cfg.Timeouts.ControlPlaneComponentHealthCheck.Duration,
		})
		if err != nil {
			return fmt.Errorf("build the %s static Pod: %w", component, err)
		}
		next, err := staticpod.Marshal(pod)
		if err != nil {
			return err
		}
		path := staticpod.Path(o.dirs.manifests, component)
		current, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if _, err := io.WriteString(out, udiff.Unified(path, "new manifest", string(current), string(next), context)); err != nil {
			return fmt.Errorf("error writing unified diff: %w", err)
		}
	}
	return nil
}
