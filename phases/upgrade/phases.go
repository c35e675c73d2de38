package upgradephases

import "github.com/kadm-project/kadm/phases/workflow"

// ApplyPhases is `upgrade apply` in kubeadm v1.37's order.
func ApplyPhases() []workflow.Phase[ApplyData] {
	return []workflow.Phase[ApplyData]{
		applyPreflightPhase(),
		applyControlPlanePhase(),
		uploadConfigPhase(),
		kubeconfigPhase[ApplyData](),
		kubeletConfigPhase[ApplyData](),
		bootstrapTokenPhase(),
		addonPhase[ApplyData](),
		postUpgradePhase[ApplyData](),
	}
}

// NodePhases is `upgrade node` in kubeadm v1.37's order.
func NodePhases() []workflow.Phase[Data] {
	return []workflow.Phase[Data]{
		nodePreflightPhase(),
		nodeControlPlanePhase(),
		kubeconfigPhase[Data](),
		kubeletConfigPhase[Data](),
		addonPhase[Data](),
		postUpgradePhase[Data](),
	}
}
