package initphases

import (
	"fmt"

	"github.com/kadm-project/kadm/app/options"
	"github.com/kadm-project/kadm/app/workflow"
)

func controlPlanePhase() workflow.Phase[Data] {
	common := []string{options.Config, options.CertificatesDir, options.KubernetesVersion, options.ImageRepository,
		options.Patches, options.DryRun}
	components := []struct {
		name, component string
		flags           []string
	}{
		{"apiserver", "kube-apiserver", []string{options.APIServerAdvertiseAddress, options.ControlPlaneEndpoint,
			options.APIServerBindPort, options.APIServerExtraArgs, options.FeatureGates, options.ServiceCIDR}},
		{"controller-manager", "kube-controller-manager", []string{options.ControllerManagerExtraArgs, options.PodNetworkCIDR}},
		{"scheduler", "kube-scheduler", []string{options.SchedulerExtraArgs}},
	}
	p := workflow.Phase[Data]{
		Name:    "control-plane",
		Short:   "Generate all static Pod manifest files necessary to establish the control plane",
		Long:    "This command is not meant to be run on its own. See list of available subcommands.",
		WithAll: true,
	}
	for _, c := range components {
		p.Phases = append(p.Phases, workflow.Phase[Data]{
			Name:         c.name,
			Short:        fmt.Sprintf("Generates the %s static Pod manifest", c.component),
			Run:          pending("the " + c.component + " static Pod manifest"),
			InheritFlags: append(common[:len(common):len(common)], c.flags...),
		})
	}
	return p
}
