package initphases

import (
	"github.com/kadm-project/kadm/app/options"
	"github.com/kadm-project/kadm/app/workflow"
)

func preflightPhase() workflow.Phase[Data] {
	return workflow.Phase[Data]{
		Name:    "preflight",
		Short:   "Run pre-flight checks",
		Long:    "Run pre-flight checks for kubeadm init.",
		Example: "  # Run pre-flight checks for kubeadm init using a config file.\n  kubeadm init phase preflight --config kubeadm-config.yaml",
		Run:     pending("init preflight checks"),
		InheritFlags: []string{options.Config, options.ImageRepository, options.CRISocket,
			options.IgnorePreflightErrors, options.DryRun},
	}
}
