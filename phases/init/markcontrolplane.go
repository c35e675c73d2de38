package initphases

import (
	"github.com/kadm-project/kadm/app/options"
	"github.com/kadm-project/kadm/app/workflow"
)

func markControlPlanePhase() workflow.Phase[Data] {
	return workflow.Phase[Data]{
		Name:         "mark-control-plane",
		Short:        "Mark a node as a control-plane",
		Example:      "  # Applies control-plane label and taint to the current node, functionally equivalent to what executed by kubeadm init.\n  kubeadm init phase mark-control-plane --config config.yaml\n\n  # Applies control-plane label and taint to a specific node\n  kubeadm init phase mark-control-plane --node-name myNode",
		Run:          pending("marking the node as a control plane"),
		InheritFlags: []string{options.NodeName, options.Config, options.DryRun},
	}
}
