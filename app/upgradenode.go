package app

import (
	"context"
	"path/filepath"

	"github.com/kadm-project/kadm/cluster/kube"
	"github.com/spf13/cobra"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/internal/progress"
	"github.com/kadm-project/kadm/kubeconfig"
	"github.com/kadm-project/kadm/node/machine"
	"github.com/kadm-project/kadm/phases/options"
	upgradephases "github.com/kadm-project/kadm/phases/upgrade"
	"github.com/kadm-project/kadm/phases/workflow"
)

// nodeOptions holds the flags of `upgrade node`; those with a field in the
// UpgradeConfiguration's node section replace it when given.
type nodeOptions struct {
	kubeconfig, cfgPath, patchesDir string
	etcdUpgrade, renewCerts, dryRun bool
	ignorePreflightErrors           []string
	clientFrom                      func(path string) (kube.Interface, error)
	host                            machine.Host
	dirs                            upgradeDirs
}

func newNodeOptions() *nodeOptions {
	return &nodeOptions{etcdUpgrade: true, renewCerts: true, clientFrom: clientFromKubeconfig, host: machine.Real(), dirs: defaultUpgradeDirs()}
}

func newUpgradeNodeCmd(s IOStreams, o *nodeOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "node",
		Short: "Upgrade commands for a node in the cluster",
		Args:  cobra.NoArgs,
	}
	f := cmd.Flags()
	f.StringVar(&o.kubeconfig, options.Kubeconfig, "", options.HelpKubeconfig)
	// The default shown: a worker, which has no admin.conf, uses its kubelet.conf.
	f.Lookup(options.Kubeconfig).DefValue = config.DefaultAdminConf
	f.BoolVar(&o.dryRun, options.DryRun, false, "Do not change any state, just output the actions that would be performed.")
	f.BoolVar(&o.renewCerts, options.CertificateRenewal, o.renewCerts, helpCertificateRenewal)
	f.BoolVar(&o.etcdUpgrade, options.EtcdUpgrade, o.etcdUpgrade, "Perform the upgrade of etcd.")
	f.StringSliceVar(&o.ignorePreflightErrors, options.IgnorePreflightErrors, nil, options.HelpIgnorePreflightErrors)
	f.StringVar(&o.cfgPath, options.Config, "", options.HelpConfig)
	f.StringVar(&o.patchesDir, options.Patches, "", options.HelpPatches)

	wf := &workflow.Command[upgradephases.Data]{
		Workflow: &workflow.Workflow[upgradephases.Data]{Phases: upgradephases.NodePhases()},
		NewData: func(ctx context.Context, cmd *cobra.Command, _ []string) (upgradephases.Data, error) {
			return newNodeData(ctx, cmd, o)
		},
		// Every Data this command sees comes from NewData, so it is an *upgradeData.
		ConfigSkipPhases: func(d upgradephases.Data) []string { return d.(*upgradeData).cfg.Node.SkipPhases },
		Done:             nodeDone,
		Out:              s.Out,
	}
	wf.Bind(cmd)
	return cmd
}

// newNodeData reads the UpgradeConfiguration with the flags over it, the cluster's
// configuration (the version `upgrade apply` stored) and this node. A worker reaches the
// cluster with its kubelet's credentials, a control-plane node with admin.conf.
func newNodeData(ctx context.Context, cmd *cobra.Command, o *nodeOptions) (*upgradeData, error) {
	cfg, err := loadUpgradeConfig(o.cfgPath, "upgrade node")
	if err != nil {
		return nil, err
	}
	ov := &overrides{flags: cmd.Flags(), source: o.cfgPath}
	n := &cfg.Node
	setField(ov, options.DryRun, "node.dryRun", &n.DryRun, ptrTo(o.dryRun))
	setField(ov, options.EtcdUpgrade, "node.etcdUpgrade", &n.EtcdUpgrade, ptrTo(o.etcdUpgrade))
	setField(ov, options.CertificateRenewal, "node.certificateRenewal", &n.CertificateRenewal, ptrTo(o.renewCerts))
	if cmd.Flags().Changed(options.Patches) {
		if n.Patches == nil {
			n.Patches = &config.Patches{}
		}
		setField(ov, options.Patches, "node.patches.directory", &n.Patches.Directory, o.patchesDir)
	}
	ov.report(ctx)
	config.SetUpgradeDefaults(cfg)
	if err := config.ValidateUpgrade(cfg); err != nil {
		return nil, config.WithSource(err, o.cfgPath)
	}
	ignore, err := ignoreList(n.IgnorePreflightErrors, o.ignorePreflightErrors)
	if err != nil {
		return nil, err
	}
	path := o.kubeconfig
	if path == "" {
		path = filepath.Join(o.dirs.kubernetes, kubeconfig.KubeletFile)
		if exists(filepath.Join(o.dirs.manifests, "kube-apiserver.yaml")) {
			path = filepath.Join(o.dirs.kubernetes, kubeconfig.AdminFile)
		}
	}
	d, err := newUpgradeData(ctx, cfg, path, o.clientFrom, o.host, o.dirs, cmd.Root().Name(), "upgrade")
	if err != nil {
		return nil, err
	}
	d.dryRun, d.etcdUpgrade, d.renewCerts = config.Bool(n.DryRun), config.Bool(n.EtcdUpgrade), config.Bool(n.CertificateRenewal)
	d.ignore = ignore
	if n.Patches != nil {
		d.patchesDir = n.Patches.Directory
	}
	if err := d.openDryRunDir(ctx, config.UpgradeNodeDryRunDirPrefix); err != nil {
		return nil, err
	}
	return d, nil
}

func nodeDone(ctx context.Context, d upgradephases.Data) error {
	if d.DryRun() {
		progress.Printf(ctx, "[upgrade/successful] Finished dryrunning successfully!\n")
	}
	return nil
}
