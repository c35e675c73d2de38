package app

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/kadm-project/kadm/cluster/kube"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/kadm-project/kadm/cluster/objects"
	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/internal/progress"
	"github.com/kadm-project/kadm/node/machine"
	"github.com/kadm-project/kadm/phases/options"
	upgradephases "github.com/kadm-project/kadm/phases/upgrade"
	"github.com/kadm-project/kadm/phases/workflow"
)

// applyOptions holds the flags of `upgrade apply`; those with a field in the
// UpgradeConfiguration's apply section replace it when given.
type applyOptions struct {
	kubeconfig, cfgPath, patchesDir string
	allowExperimental, allowRC      bool
	printConfig, etcdUpgrade        bool
	renewCerts, yes, force, dryRun  bool
	ignorePreflightErrors           []string
	// clientFrom builds --kubeconfig's client; tests replace it.
	clientFrom func(path string) (kube.Interface, error)
	host       machine.Host
	dirs       upgradeDirs
}

// upgradeDirs are the machine's directories an upgrade works in; tests point them at a
// temporary tree.
type upgradeDirs struct {
	kubernetes, manifests, kubelet string
}

func defaultUpgradeDirs() upgradeDirs {
	return upgradeDirs{kubernetes: config.DefaultKubernetesDir, manifests: config.DefaultManifestsDir, kubelet: config.DefaultKubeletDir}
}

func newApplyOptions() *applyOptions {
	return &applyOptions{
		kubeconfig: config.DefaultAdminConf, etcdUpgrade: true, renewCerts: true,
		clientFrom: clientFromKubeconfig, host: machine.Real(), dirs: defaultUpgradeDirs(),
	}
}

// addApplyPlanFlags adds the flags `upgrade apply` and `upgrade plan` share.
func addApplyPlanFlags(f *pflag.FlagSet, kubeconfigPath, cfgPath *string, allowExperimental, allowRC, printConfig, etcdUpgrade *bool, ignore *[]string) {
	f.StringVar(kubeconfigPath, options.Kubeconfig, *kubeconfigPath, options.HelpKubeconfig)
	f.StringVar(cfgPath, options.Config, "", options.HelpConfig)
	f.BoolVar(allowExperimental, options.AllowExperimentalUpgrades, false,
		"Show unstable versions of Kubernetes as an upgrade alternative and allow upgrading to an alpha/beta/release candidate versions of Kubernetes.")
	f.BoolVar(allowRC, options.AllowRCUpgrades, false,
		"Show release candidate versions of Kubernetes as an upgrade alternative and allow upgrading to a release candidate versions of Kubernetes.")
	f.BoolVar(printConfig, options.PrintConfig, false, "Specifies whether the configuration file that will be used in the upgrade should be printed or not.")
	f.BoolVar(etcdUpgrade, options.EtcdUpgrade, *etcdUpgrade, "Perform the upgrade of etcd.")
	f.StringSliceVar(ignore, options.IgnorePreflightErrors, nil, options.HelpIgnorePreflightErrors)
}

const helpCertificateRenewal = "Perform the renewal of certificates used by component changed during upgrades."

func newUpgradeApplyCmd(s IOStreams, o *applyOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:                   "apply [version]",
		DisableFlagsInUseLine: true,
		Short:                 "Upgrade your Kubernetes cluster to the specified version",
		Args:                  cobra.MaximumNArgs(1),
	}
	f := cmd.Flags()
	addApplyPlanFlags(f, &o.kubeconfig, &o.cfgPath, &o.allowExperimental, &o.allowRC, &o.printConfig, &o.etcdUpgrade, &o.ignorePreflightErrors)
	f.BoolVarP(&o.yes, options.Yes, "y", false, "Perform the upgrade and do not prompt for confirmation (non-interactive mode).")
	f.BoolVarP(&o.force, options.Force, "f", false, "Force upgrading although some requirements might not be met. This also implies non-interactive mode.")
	f.BoolVar(&o.dryRun, options.DryRun, false, "Do not change any state, just output what actions would be performed.")
	f.BoolVar(&o.renewCerts, options.CertificateRenewal, o.renewCerts, helpCertificateRenewal)
	f.StringVar(&o.patchesDir, options.Patches, "", options.HelpPatches)

	wf := &workflow.Command[upgradephases.ApplyData]{
		Workflow: &workflow.Workflow[upgradephases.ApplyData]{Phases: upgradephases.ApplyPhases()},
		NewData: func(ctx context.Context, cmd *cobra.Command, args []string) (upgradephases.ApplyData, error) {
			return newApplyData(ctx, cmd, args, o, s.In)
		},
		// Every Data this command sees comes from NewData, so it is an *applyData.
		ConfigSkipPhases: func(d upgradephases.ApplyData) []string { return d.(*applyData).cfg.Apply.SkipPhases },
		Done:             applyDone,
		Out:              s.Out,
	}
	wf.Bind(cmd)
	return cmd
}

// applyData is the ApplyData of one `upgrade apply` run.
type applyData struct {
	*upgradeData
	interactive, allowExperimental, allowRC, force bool
	in                                             io.Reader
}

var _ upgradephases.ApplyData = (*applyData)(nil)

func (d *applyData) Interactive() bool               { return d.interactive }
func (d *applyData) In() io.Reader                   { return d.in }
func (d *applyData) AllowExperimentalUpgrades() bool { return d.allowExperimental }
func (d *applyData) AllowRCUpgrades() bool           { return d.allowRC }
func (d *applyData) ForceUpgrade() bool              { return d.force }

// newApplyData reads the UpgradeConfiguration and the flags over it, the cluster's
// configuration, and this node; the version to upgrade to is the argument, or else the
// file's apply.kubernetesVersion.
func newApplyData(ctx context.Context, cmd *cobra.Command, args []string, o *applyOptions, in io.Reader) (*applyData, error) {
	cfg, err := loadUpgradeConfig(o.cfgPath, "upgrade apply")
	if err != nil {
		return nil, err
	}
	ov := &overrides{flags: cmd.Flags(), source: o.cfgPath}
	a := &cfg.Apply
	setField(ov, options.Force, "apply.forceUpgrade", &a.ForceUpgrade, ptrTo(o.force))
	setField(ov, options.DryRun, "apply.dryRun", &a.DryRun, ptrTo(o.dryRun))
	setField(ov, options.EtcdUpgrade, "apply.etcdUpgrade", &a.EtcdUpgrade, ptrTo(o.etcdUpgrade))
	setField(ov, options.CertificateRenewal, "apply.certificateRenewal", &a.CertificateRenewal, ptrTo(o.renewCerts))
	setField(ov, options.AllowExperimentalUpgrades, "apply.allowExperimentalUpgrades", &a.AllowExperimentalUpgrades, ptrTo(o.allowExperimental))
	setField(ov, options.AllowRCUpgrades, "apply.allowRCUpgrades", &a.AllowRCUpgrades, ptrTo(o.allowRC))
	setField(ov, options.PrintConfig, "apply.printConfig", &a.PrintConfig, ptrTo(o.printConfig))
	if cmd.Flags().Changed(options.Patches) {
		if a.Patches == nil {
			a.Patches = &config.Patches{}
		}
		setField(ov, options.Patches, "apply.patches.directory", &a.Patches.Directory, o.patchesDir)
	}
	if len(args) == 1 {
		if _, err := config.ResolveKubernetesVersion(args[0]); err != nil {
			return nil, usagef("[version] %v", err)
		}
		if o.cfgPath != "" && a.KubernetesVersion != "" && a.KubernetesVersion != args[0] {
			ov.notes = append(ov.notes, "the [version] argument overrides apply.kubernetesVersion")
		}
		a.KubernetesVersion = args[0]
	}
	ov.report(ctx)
	config.SetUpgradeDefaults(cfg)
	if err := config.ValidateUpgrade(cfg); err != nil {
		return nil, config.WithSource(err, o.cfgPath)
	}
	if a.KubernetesVersion == "" {
		return nil, usagef("missing one or more required arguments. Required arguments: [version] (or apply.kubernetesVersion in --%s)", options.Config)
	}
	ignore, err := ignoreList(a.IgnorePreflightErrors, o.ignorePreflightErrors)
	if err != nil {
		return nil, err
	}
	d, err := newUpgradeData(ctx, cfg, o.kubeconfig, o.clientFrom, o.host, o.dirs, cmd.Root().Name(), "upgrade")
	if err != nil {
		return nil, err
	}
	d.cluster.KubernetesVersion = config.NormalizeKubernetesVersion(a.KubernetesVersion)
	// upgrade apply runs on a control-plane node, as kubeadm takes for granted.
	d.node.ControlPlane = true
	d.dryRun, d.etcdUpgrade, d.renewCerts = config.Bool(a.DryRun), config.Bool(a.EtcdUpgrade), config.Bool(a.CertificateRenewal)
	d.ignore = ignore
	if a.Patches != nil {
		d.patchesDir = a.Patches.Directory
	}
	if err := d.openDryRunDir(ctx, config.UpgradeApplyDryRunDirPrefix); err != nil {
		return nil, err
	}
	if config.Bool(a.PrintConfig) {
		if err := printClusterConfig(ctx, d.cluster); err != nil {
			return nil, errors.Join(err, d.Close())
		}
	}
	force := config.Bool(a.ForceUpgrade)
	return &applyData{
		upgradeData:       d,
		interactive:       !(o.yes || d.dryRun || force),
		allowExperimental: config.Bool(a.AllowExperimentalUpgrades),
		allowRC:           config.Bool(a.AllowRCUpgrades),
		force:             force,
		in:                in,
	}, nil
}

// newUpgradeData connects with kubeconfigPath and reads what both workflows need.
func newUpgradeData(ctx context.Context, cfg *config.UpgradeConfiguration, kubeconfigPath string,
	clientFrom func(string) (kube.Interface, error), host machine.Host, dirs upgradeDirs, program, prefix string) (*upgradeData, error) {
	client, err := clientFrom(kubeconfigPath)
	if err != nil {
		return nil, fmt.Errorf("couldn't create a Kubernetes client from file %q: %w", kubeconfigPath, err)
	}
	cluster, err := readUpgradeCluster(ctx, client, objects.Policy{Timeout: cfg.Timeouts.KubernetesAPICall.Duration}, program, prefix)
	if err != nil {
		return nil, err
	}
	node, err := localNode(dirs.kubernetes, dirs.manifests, dirs.kubelet)
	if err != nil {
		return nil, err
	}
	return &upgradeData{
		cfg: cfg, cluster: cluster, node: node, client: client, host: host, program: program,
		kubernetesDir: dirs.kubernetes, manifestDir: dirs.manifests, kubeletDir: dirs.kubelet,
		connect: connectUpgradeEtcd,
	}, nil
}

// applyDone is what kubeadm prints after a successful apply, and what is left to do.
func applyDone(ctx context.Context, d upgradephases.ApplyData) error {
	if d.DryRun() {
		progress.Printf(ctx, "[upgrade/successful] Finished dryrunning successfully!\n")
		return nil
	}
	progress.Printf(ctx, "\n[upgrade] SUCCESS! A control plane node of your cluster was upgraded to %q.\n\n", d.Cluster().KubernetesVersion)
	progress.Printf(ctx, "[upgrade] Now please proceed with upgrading the rest of the nodes by following the right order.\n")
	return nil
}
