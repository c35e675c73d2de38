package initphases

import (
	"context"
	"fmt"

	"github.com/kadm-project/kadm/cluster/noderole"
	"github.com/kadm-project/kadm/internal/progress"
	"github.com/kadm-project/kadm/phases/options"
	"github.com/kadm-project/kadm/phases/workflow"
)

func markControlPlanePhase() workflow.Phase[Data] {
	return workflow.Phase[Data]{
		Name:         "mark-control-plane",
		Short:        "Mark a node as a control-plane",
		Example:      "  # Applies control-plane label and taint to the current node, functionally equivalent to what executed by kubeadm init.\n  kubeadm init phase mark-control-plane --config config.yaml\n\n  # Applies control-plane label and taint to a specific node\n  kubeadm init phase mark-control-plane --node-name myNode",
		Run:          runMarkControlPlane,
		InheritFlags: []string{options.NodeName, options.Config, options.DryRun},
	}
}

func runMarkControlPlane(ctx context.Context, d Data) error {
	nr := d.Cfg().NodeRegistration
	progress.Printf(ctx, "[mark-control-plane] Marking the node %s as control-plane by adding the labels: %v\n", nr.Name, noderole.ControlPlaneLabels())
	if len(nr.Taints) > 0 {
		progress.Printf(ctx, "[mark-control-plane] Marking the node %s as control-plane by adding the taints %v\n", nr.Name, noderole.TaintStrings(nr.Taints))
	}
	if d.DryRun() {
		progress.Printf(ctx, "[dryrun] Would patch Node %q\n", nr.Name)
		return nil
	}
	client, err := d.Client(ctx)
	if err != nil {
		return fmt.Errorf("connect to the cluster with %s: %w", d.KubeConfigPath(), err)
	}
	return noderole.Mark(ctx, client, apiPolicy(d), nr.Name, nr.Taints)
}
