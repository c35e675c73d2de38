package initphases

import (
	"github.com/kadm-project/kadm/app/options"
	"github.com/kadm-project/kadm/app/workflow"
)

func uploadConfigPhase() workflow.Phase[Data] {
	return workflow.Phase[Data]{
		Name:    "upload-config",
		Short:   "Upload the kubeadm and kubelet configuration to a ConfigMap",
		Aliases: []string{"uploadconfig"},
		WithAll: true,
		Phases: []workflow.Phase[Data]{
			{
				Name:         "kubeadm",
				Short:        "Upload the kubeadm ClusterConfiguration to a ConfigMap",
				Long:         "Upload the kubeadm ClusterConfiguration to a ConfigMap called kubeadm-config in the kube-system namespace. This enables correct configuration of system components and a seamless user experience when upgrading.\n\nAlternatively, you can use kubeadm config.",
				Run:          pending("uploading the kubeadm-config ConfigMap"),
				InheritFlags: uploadConfigFlags,
			},
			{
				Name:         "kubelet",
				Short:        "Upload the kubelet component config to a ConfigMap",
				Long:         "Upload the kubelet configuration extracted from the kubeadm InitConfiguration object to a kubelet-config ConfigMap in the cluster",
				Run:          pending("uploading the kubelet-config ConfigMap"),
				InheritFlags: uploadConfigFlags,
			},
		},
	}
}

var uploadConfigFlags = []string{options.Config, options.CRISocket, options.Kubeconfig, options.DryRun}
