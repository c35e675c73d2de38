package app

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/kadm-project/kadm/cluster/kube"
	"github.com/spf13/cobra"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/version"

	"github.com/kadm-project/kadm/cluster/addons"
	"github.com/kadm-project/kadm/cluster/clusterconfig"
	"github.com/kadm-project/kadm/cluster/clusterhealth"
	"github.com/kadm-project/kadm/cluster/objects"
	"github.com/kadm-project/kadm/cluster/upgradeplan"
	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/internal/progress"
	"github.com/kadm-project/kadm/node/machine"
	"github.com/kadm-project/kadm/phases"
	"github.com/kadm-project/kadm/phases/options"
	upgradephases "github.com/kadm-project/kadm/phases/upgrade"
	"github.com/kadm-project/kadm/preflight"
)

// planOptions holds the flags of `upgrade plan`.
type planOptions struct {
	kubeconfig, cfgPath        string
	allowExperimental, allowRC bool
	printConfig, etcdUpgrade   bool
	output                     printFlags
	ignorePreflightErrors      []string
	clientFrom                 func(path string) (kube.Interface, error)
	host                       machine.Host
	dirs                       upgradeDirs
}

func newPlanOptions() *planOptions {
	return &planOptions{
		kubeconfig: config.DefaultAdminConf, etcdUpgrade: true,
		clientFrom: clientFromKubeconfig, host: machine.Real(), dirs: defaultUpgradeDirs(),
	}
}

func newUpgradePlanCmd(s IOStreams, o *planOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "plan [version] [flags]",
		Short: "Check which versions are available to upgrade to and validate whether your current cluster is upgradeable.",
		Long: `Check which versions are available to upgrade to and validate whether your current cluster is upgradeable. ` +
			`This command can only run on the control plane nodes where the kubeconfig file "admin.conf" exists. ` +
			`To skip the internet check, pass in the optional [version] parameter.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return runPlan(cmd.Context(), cmd, args, o, s) },
	}
	f := cmd.Flags()
	addApplyPlanFlags(f, &o.kubeconfig, &o.cfgPath, &o.allowExperimental, &o.allowRC, &o.printConfig, &o.etcdUpgrade, &o.ignorePreflightErrors)
	addPrintFlags(f, &o.output)
	return cmd
}

// runPlan checks the cluster as `upgrade apply` would and prints what it can be upgraded
// to. Offline, the target is the version given, or else kadm's own.
func runPlan(ctx context.Context, cmd *cobra.Command, args []string, o *planOptions, s IOStreams) error {
	printer, err := o.output.printer()
	if err != nil {
		return err
	}
	if !o.output.text() {
		// The object alone goes to stdout, as kubeadm's printers leave it.
		ctx = progress.WithSink(ctx, func(string) {})
	}
	cfg, err := loadUpgradeConfig(o.cfgPath, "upgrade plan")
	if err != nil {
		return err
	}
	ov := &overrides{flags: cmd.Flags(), source: o.cfgPath}
	p := &cfg.Plan
	setField(ov, options.EtcdUpgrade, "plan.etcdUpgrade", &p.EtcdUpgrade, ptrTo(o.etcdUpgrade))
	setField(ov, options.AllowExperimentalUpgrades, "plan.allowExperimentalUpgrades", &p.AllowExperimentalUpgrades, ptrTo(o.allowExperimental))
	setField(ov, options.AllowRCUpgrades, "plan.allowRCUpgrades", &p.AllowRCUpgrades, ptrTo(o.allowRC))
	setField(ov, options.PrintConfig, "plan.printConfig", &p.PrintConfig, ptrTo(o.printConfig))
	if len(args) == 1 {
		if _, err := config.ResolveKubernetesVersion(args[0]); err != nil {
			return usagef("[version] %v", err)
		}
		p.KubernetesVersion = args[0]
	}
	ov.report(ctx)
	config.SetUpgradeDefaults(cfg)
	if err := config.ValidateUpgrade(cfg); err != nil {
		return config.WithSource(err, o.cfgPath)
	}
	ignore, err := ignoreList(p.IgnorePreflightErrors, o.ignorePreflightErrors)
	if err != nil {
		return err
	}
	progress.Printf(ctx, "[preflight] Running pre-flight checks.\n")
	if err := phases.RunChecks(ctx, preflight.RootChecks(o.host), ignore); err != nil {
		return err
	}
	client, err := o.clientFrom(o.kubeconfig)
	if err != nil {
		return fmt.Errorf("couldn't create a Kubernetes client from file %q: %w", o.kubeconfig, err)
	}
	policy := objects.Policy{Timeout: cfg.Timeouts.KubernetesAPICall.Duration}
	program := cmd.Root().Name()
	cluster, err := readUpgradeCluster(ctx, client, policy, program, "upgrade/config")
	if err != nil {
		return err
	}
	progress.Printf(ctx, "[upgrade] Running cluster health checks\n")
	if err := phases.RunChecks(ctx, []preflight.Check{
		upgradephases.StaticPodManifests(o.dirs.manifests),
		clusterhealth.ControlPlaneNodesReady{Client: client, Policy: policy},
		clusterhealth.CreateJob{Client: client, Policy: policy, Image: config.PauseImage(cluster)},
	}, ignore); err != nil {
		return fmt.Errorf("[upgrade/health] FATAL: %w", err)
	}
	if config.Bool(p.PrintConfig) {
		if err := printClusterConfig(ctx, cluster); err != nil {
			return err
		}
	}
	plan, err := computePlan(ctx, client, policy, cluster, p, program)
	if err != nil {
		return err
	}
	if !o.output.text() {
		return printer.print(s.Out, plan, true)
	}
	printPlanText(s.Out, plan, program)
	return nil
}

// computePlan reads what the cluster runs and offers the target, with what it brings.
func computePlan(ctx context.Context, client kube.Interface, policy objects.Policy, cluster *config.ClusterConfiguration,
	p *config.UpgradePlanConfiguration, program string) (*upgradeplan.Plan, error) {
	progress.Printf(ctx, "[upgrade] Fetching available versions to upgrade to\n")
	state, err := upgradeplan.Read(ctx, client, policy)
	if err != nil {
		return nil, fmt.Errorf("[upgrade/versions] FATAL: %w", err)
	}
	progress.Printf(ctx, "[upgrade/versions] Cluster version: %s\n", state.ClusterVersion)
	progress.Printf(ctx, "[upgrade/versions] %s version: %s\n", program, gitVersion)
	target := config.NormalizeKubernetesVersion(p.KubernetesVersion)
	if target == "" {
		target = gitVersion
		progress.Printf(ctx, "[upgrade/versions] Target version: %s (%s's own release: it looks up no release online)\n", target, program)
	} else {
		progress.Printf(ctx, "[upgrade/versions] Target version: %s\n", target)
	}
	next := *cluster
	next.KubernetesVersion = target
	release := upgradeplan.Release{Version: target, DNS: upgradeplan.ImageVersion(config.CoreDNSImage(&next))}
	if next.Etcd.Local != nil {
		release.Etcd = upgradeplan.ImageVersion(config.EtcdImage(&next))
	}
	plan := &upgradeplan.Plan{TypeMeta: metav1.TypeMeta{APIVersion: outputAPIVersion, Kind: "UpgradePlan"}}
	up, err := upgradeplan.Available(state, upgradeplan.Offer{Target: release, KadmVersion: gitVersion, EtcdUpgrade: config.Bool(p.EtcdUpgrade)})
	if err != nil {
		return nil, fmt.Errorf("[upgrade/versions] FATAL: %w", err)
	}
	if up != nil {
		plan.AvailableUpgrades = []upgradeplan.AvailableUpgrade{*up}
	} else {
		progress.Printf(ctx, "[upgrade/versions] Awesome, you're up-to-date! Enjoy!\n")
	}
	progress.Printf(ctx, "\n")
	plan.ConfigVersions, err = upgradeplan.ConfigVersions(ctx, client, policy, []upgradeplan.ComponentConfig{
		{APIVersion: config.KubeProxyConfigAPIVersion, ConfigMap: addons.KubeProxyConfigMap, Key: addons.KubeProxyConfigKey},
		{APIVersion: config.KubeletConfigAPIVersion, ConfigMap: clusterconfig.KubeletConfigMap, Key: clusterconfig.KubeletConfigKey},
	})
	if err != nil {
		return nil, fmt.Errorf("[upgrade/versions] FATAL: %w", err)
	}
	return plan, nil
}

const planSeparator = "_____________________________________________________________________\n\n"

// printPlanText prints the plan in kubeadm's layout, naming the program as it was invoked.
func printPlanText(w io.Writer, plan *upgradeplan.Plan, program string) {
	table := func() *tabwriter.Writer { return tabwriter.NewWriter(w, 10, 4, 3, ' ', 0) }
	header := strings.Join([]string{"COMPONENT", "NODE", "CURRENT", "TARGET"}, "\t")
	for _, up := range plan.AvailableUpgrades {
		target, before, after := "", "", ""
		for _, c := range up.Components {
			switch c.Name {
			case upgradeplan.KubeAPIServer:
				target = c.NewVersion
			case upgradeplan.Kubeadm:
				before, after = c.CurrentVersion, c.NewVersion
			}
		}
		fmt.Fprintf(w, "Components that must be upgraded manually after you have upgraded the control plane with '%s upgrade apply':\n", program)
		tw := table()
		fmt.Fprintln(tw, header)
		for _, c := range up.Components {
			if c.Name == upgradeplan.Kubelet {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", c.Name, c.NodeName, c.CurrentVersion, c.NewVersion)
			}
		}
		tw.Flush()
		fmt.Fprintf(w, "\nUpgrade to the latest %s:\n\n", up.Description)
		tw = table()
		fmt.Fprintln(tw, header)
		for _, c := range up.Components {
			if c.Name != upgradeplan.Kubelet && c.Name != upgradeplan.Kubeadm {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", c.Name, c.NodeName, c.CurrentVersion, c.NewVersion)
			}
		}
		tw.Flush()
		fmt.Fprintf(w, "\nYou can now apply the upgrade by executing the following command:\n\n\t%s upgrade apply %s%s\n\n", program, target, unstableFlag(target))
		if before != after {
			fmt.Fprintf(w, "Note: Before you can perform this upgrade, you have to update %s to %s.\n\n", program, after)
		}
		fmt.Fprint(w, planSeparator)
	}
	if len(plan.ConfigVersions) == 0 {
		fmt.Fprintln(w, "No information available on component configs.")
		return
	}
	fmt.Fprintf(w, `
The table below shows the current state of component configs as understood by this version of %s.
Configs that have a "yes" mark in the "MANUAL UPGRADE REQUIRED" column require manual config upgrade or
resetting to %s defaults before a successful upgrade can be performed. The version to manually
upgrade to is denoted in the "PREFERRED VERSION" column.

`, program, program)
	tw := table()
	fmt.Fprintln(tw, strings.Join([]string{"API GROUP", "CURRENT VERSION", "PREFERRED VERSION", "MANUAL UPGRADE REQUIRED"}, "\t"))
	for _, s := range plan.ConfigVersions {
		manual := "no"
		if s.ManualUpgradeRequired {
			manual = "yes"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", s.Group, orDash(s.CurrentVersion), orDash(s.PreferredVersion), manual)
	}
	tw.Flush()
	fmt.Fprint(w, planSeparator)
}

// unstableFlag is the flag `upgrade apply` needs for a pre-release target.
func unstableFlag(target string) string {
	v, err := version.ParseSemantic(target)
	if err != nil || v.PreRelease() == "" {
		return ""
	}
	if strings.HasPrefix(v.PreRelease(), "rc") {
		return " --" + options.AllowRCUpgrades
	}
	return " --" + options.AllowExperimentalUpgrades
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
