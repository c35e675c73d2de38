package preflight

import (
	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/node/machine"
)

// UpgradeChecks are the node checks of `upgrade apply` and `upgrade node`: kubeadm's system
// verification for the kubelet release the upgrade leads to and its container runtime
// version check, the runtime ready (CRI), and the kubelet against the control plane it
// will serve (kubernetesVersion): never newer, never too old.
func UpgradeChecks(h machine.Host, criSocket, kubernetesVersion, kadmVersion string) []Check {
	socket := config.CRISocketURL(criSocket)
	return []Check{
		SystemVerification{FallbackKubeletVersion: kubernetesVersion, NextMinor: true, Run: h.Run, Validators: h.SystemValidators},
		CRI{Socket: socket, Connect: h.CRI},
		ContainerRuntimeVersion{Socket: socket, Connect: h.CRI},
		KubeletVersion{KubernetesVersion: kubernetesVersion, Min: minKubelet(kadmVersion), Run: h.Run},
	}
}
