package initphases

import (
	"github.com/spf13/pflag"

	"github.com/kadm-project/kadm/app/options"
	"github.com/kadm-project/kadm/app/workflow"
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
				Run:          pending("installing the CoreDNS addon"),
				InheritFlags: append(common[:len(common):len(common)], options.FeatureGates, options.ServiceDNSDomain, options.ServiceCIDR),
				LocalFlags:   local,
			},
			{
				Name:  "kube-proxy",
				Short: "Install the kube-proxy addon to a Kubernetes cluster",
				Long:  "Install the kube-proxy addon components via the API server.",
				Run:   pending("installing the kube-proxy addon"),
				InheritFlags: append(common[:len(common):len(common)], options.APIServerAdvertiseAddress,
					options.ControlPlaneEndpoint, options.APIServerBindPort, options.PodNetworkCIDR),
				LocalFlags: local,
			},
		},
	}
}
