package initphases

import "github.com/kadm-project/kadm/phases/workflow"

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
