package initphases

import (
	"context"

	"github.com/kadm-project/kadm/app/workflow"
	"github.com/kadm-project/kadm/phases"
)

// pending is the Run of a phase whose work arrives with a later issue.
func pending(what string) func(context.Context, Data) error {
	return func(context.Context, Data) error { return phases.NotImplemented(what, 3) }
}

// Phases is the init workflow in kubeadm v1.37's order. printManifest is the
// addon phases' --print-manifest flag.
func Phases(printManifest *bool) []workflow.Phase[Data] {
	return []workflow.Phase[Data]{
		preflightPhase(),
		certsPhase(),
		kubeconfigPhase(),
		etcdPhase(),
		controlPlanePhase(),
		kubeletStartPhase(),
		waitControlPlanePhase(),
		uploadConfigPhase(),
		uploadCertsPhase(),
		markControlPlanePhase(),
		bootstrapTokenPhase(),
		kubeletFinalizePhase(),
		addonPhase(printManifest),
		showJoinCommandPhase(),
	}
}
