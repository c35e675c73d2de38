package initphases

import (
	"context"
	"fmt"
	"os"

	"github.com/spf13/pflag"

	"github.com/kadm-project/kadm/cluster/addons"
	"github.com/kadm-project/kadm/internal/progress"
	"github.com/kadm-project/kadm/phases/options"
	"github.com/kadm-project/kadm/phases/workflow"
)

func addonPhase(printManifest *bool) workflow.Phase[Data] {
	local := pflag.NewFlagSet(options.PrintManifest, pflag.ContinueOnError)
	local.BoolVar(printManifest, options.PrintManifest, false, "Print the addon manifests to STDOUT instead of installing them")
	common := []string{options.Config, options.Kubeconfig, options.KubernetesVersion, options.ImageRepository, options.DryRun}
	return workflow.Phase[Data]{
		Name:    "addon",
		Short:   "Install required addons for passing conformance tests",
		Long:    "This command is not meant to be run on its own. See list of available subcommands.",
		WithAll: true,
		Phases: []workflow.Phase[Data]{
			{
				Name:         "coredns",
				Short:        "Install the CoreDNS addon to a Kubernetes cluster",
				Long:         "Install the CoreDNS addon components via the API server. Please note that although the DNS server is deployed, it will not be scheduled until CNI is installed.",
				Run:          runCoreDNS,
				InheritFlags: append(common[:len(common):len(common)], options.FeatureGates, options.ServiceDNSDomain, options.ServiceCIDR),
				LocalFlags:   local,
			},
			{
				Name:  "kube-proxy",
				Short: "Install the kube-proxy addon to a Kubernetes cluster",
				Long:  "Install the kube-proxy addon components via the API server.",
				Run:   runKubeProxy,
				InheritFlags: append(common[:len(common):len(common)], options.APIServerAdvertiseAddress,
					options.ControlPlaneEndpoint, options.APIServerBindPort, options.PodNetworkCIDR),
				LocalFlags: local,
			},
		},
	}
}

func runCoreDNS(ctx context.Context, d Data) error {
	c := d.ClusterCfg()
	if c.DNS.Disabled {
		progress.Printf(ctx, "[addons] Skipping the addon/coredns phase. The addon is disabled.\n")
		return nil
	}
	patch, err := patcher(ctx, d)
	if err != nil {
		return err
	}
	a, err := addons.CoreDNS(c, patch)
	if err != nil {
		return err
	}
	return install(ctx, d, a)
}

func runKubeProxy(ctx context.Context, d Data) error {
	c := d.ClusterCfg()
	if c.Proxy.Disabled {
		progress.Printf(ctx, "[addons] Skipping the addon/kube-proxy phase. The addon is disabled.\n")
		return nil
	}
	patch, err := patcher(ctx, d)
	if err != nil {
		return err
	}
	in := addons.KubeProxyInput{Cluster: c, LocalAPIEndpoint: d.Cfg().LocalAPIEndpoint}
	in.Config = d.KubeProxyConfigDocument()
	// A printed manifest may be applied from anywhere, so this host's proxy
	// settings stay out of it, as with kubeadm.
	if !d.PrintManifest() {
		in.Environ = os.Environ()
	}
	a, err := addons.KubeProxy(in, patch)
	if err != nil {
		return err
	}
	return install(ctx, d, a)
}

// install prints the addon (--print-manifest), says what it would create
// (--dry-run), or creates and updates its objects.
func install(ctx context.Context, d Data, a *addons.Addon) error {
	switch {
	case d.PrintManifest():
		b, err := a.Manifest()
		if err != nil {
			return err
		}
		progress.Printf(ctx, "%s", b)
		return nil
	case d.DryRun():
		b, err := a.DryRunReport()
		if err != nil {
			return err
		}
		progress.Printf(ctx, "%s", b)
	default:
		w, err := clusterWriter(ctx, d)
		if err != nil {
			return fmt.Errorf("install the %s addon: %w", a.Name, err)
		}
		if err := a.Apply(ctx, w); err != nil {
			return err
		}
	}
	progress.Printf(ctx, "[addons] Applied essential addon: %s\n", a.Name)
	return nil
}
