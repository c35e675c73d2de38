package initphases

import (
	"github.com/kadm-project/kadm/app/options"
	"github.com/kadm-project/kadm/app/workflow"
)

func waitControlPlanePhase() workflow.Phase[Data] {
	return workflow.Phase[Data]{
		Name:         "wait-control-plane",
		Short:        "Wait for the control plane to start",
		Run:          pending("waiting for the control plane"),
		InheritFlags: []string{options.Config, options.DryRun},
	}
}
