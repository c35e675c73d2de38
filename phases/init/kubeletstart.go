package initphases

import (
	"github.com/kadm-project/kadm/app/options"
	"github.com/kadm-project/kadm/app/workflow"
)

func kubeletStartPhase() workflow.Phase[Data] {
	return workflow.Phase[Data]{
		Name:    "kubelet-start",
		Short:   "Write kubelet settings and (re)start the kubelet",
		Long:    "Write a file with KubeletConfiguration and an environment file with node specific kubelet settings, and then (re)start kubelet.",
		Example: "  # Writes a dynamic environment file with kubelet flags from a InitConfiguration file.\n  kubeadm init phase kubelet-start --config config.yaml",
		Run:     pending("writing the kubelet settings and starting the kubelet"),
		InheritFlags: []string{options.Config, options.ImageRepository, options.CRISocket,
			options.NodeName, options.Patches, options.DryRun},
	}
}
