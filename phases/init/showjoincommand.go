package initphases

import (
	"github.com/kadm-project/kadm/app/options"
	"github.com/kadm-project/kadm/app/workflow"
)

func showJoinCommandPhase() workflow.Phase[Data] {
	return workflow.Phase[Data]{
		Name:         "show-join-command",
		Short:        "Show the join command for control-plane and worker node",
		Run:          pending("showing the join commands"),
		InheritFlags: []string{options.Config, options.Kubeconfig, options.SkipTokenPrint, options.DryRun},
	}
}
