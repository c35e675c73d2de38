package initphases

import (
	"github.com/kadm-project/kadm/app/options"
	"github.com/kadm-project/kadm/app/workflow"
)

func kubeletFinalizePhase() workflow.Phase[Data] {
	return workflow.Phase[Data]{
		Name:    "kubelet-finalize",
		Short:   "Updates settings relevant to the kubelet after TLS bootstrap",
		Example: "  # Updates settings relevant to the kubelet after TLS bootstrap\"\n  kubeadm init phase kubelet-finalize all --config",
		WithAll: true,
		Phases: []workflow.Phase[Data]{{
			Name:         "enable-client-cert-rotation",
			Short:        "Enable kubelet client certificate rotation",
			Run:          pending("enabling kubelet client certificate rotation"),
			InheritFlags: []string{options.Config, options.CertificatesDir, options.DryRun},
		}},
	}
}
