package initphases

import (
	"github.com/kadm-project/kadm/app/options"
	"github.com/kadm-project/kadm/app/workflow"
)

func kubeconfigPhase() workflow.Phase[Data] {
	flags := []string{options.APIServerAdvertiseAddress, options.ControlPlaneEndpoint, options.APIServerBindPort,
		options.CertificatesDir, options.Config, options.KubeconfigDir, options.KubernetesVersion, options.DryRun}
	files := []struct{ name, short, long string }{
		{"admin", "Generate a kubeconfig file for the admin to use and for kubeadm itself", "Generate the kubeconfig file for the admin and for kubeadm itself, and save it to admin.conf file."},
		{"super-admin", "Generate a kubeconfig file for the super-admin", "Generate a kubeconfig file for the super-admin, and save it to super-admin.conf file."},
		{"kubelet", "Generate a kubeconfig file for the kubelet to use *only* for cluster bootstrapping purposes", "Generate the kubeconfig file for the kubelet to use and save it to kubelet.conf file.\n\nPlease note that this should *only* be used for cluster bootstrapping purposes. After your control plane is up, you should request all kubelet credentials from the CSR API."},
		{"controller-manager", "Generate a kubeconfig file for the controller manager to use", "Generate the kubeconfig file for the controller manager to use and save it to controller-manager.conf file"},
		{"scheduler", "Generate a kubeconfig file for the scheduler to use", "Generate the kubeconfig file for the scheduler to use and save it to scheduler.conf file."},
	}
	p := workflow.Phase[Data]{
		Name:    "kubeconfig",
		Short:   "Generate all kubeconfig files necessary to establish the control plane and the admin kubeconfig file",
		WithAll: true,
	}
	for _, f := range files {
		inherit := flags
		if f.name == "kubelet" {
			inherit = append(flags[:len(flags):len(flags)], options.NodeName)
		}
		p.Phases = append(p.Phases, workflow.Phase[Data]{
			Name:         f.name,
			Short:        f.short,
			Long:         f.long,
			Run:          pending("writing " + f.name + ".conf"),
			InheritFlags: inherit,
		})
	}
	return p
}
