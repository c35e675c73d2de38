package initphases

import (
	"fmt"

	"github.com/kadm-project/kadm/app/options"
	"github.com/kadm-project/kadm/app/workflow"
)

// certs lists kubeadm's certificates in the order init creates them.
var certs = []struct{ name, what string }{
	{"ca", "self-signed Kubernetes CA to provision identities for other Kubernetes components"},
	{"apiserver", "certificate for serving the Kubernetes API"},
	{"apiserver-kubelet-client", "certificate for the API server to connect to kubelet"},
	{"front-proxy-ca", "self-signed CA to provision identities for front proxy"},
	{"front-proxy-client", "certificate for the front proxy client"},
	{"etcd-ca", "self-signed CA to provision identities for etcd"},
	{"etcd-server", "certificate for serving etcd"},
	{"etcd-peer", "certificate for etcd nodes to communicate with each other"},
	{"etcd-healthcheck-client", "certificate for liveness probes to healthcheck etcd"},
	{"apiserver-etcd-client", "certificate the apiserver uses to access etcd"},
}

func certsPhase() workflow.Phase[Data] {
	flags := []string{options.CertificatesDir, options.Config, options.KubernetesVersion, options.DryRun}
	apiserverFlags := append(flags[:len(flags):len(flags)], options.APIServerAdvertiseAddress, options.ControlPlaneEndpoint,
		options.APIServerCertSANs, options.ServiceDNSDomain, options.ServiceCIDR)
	p := workflow.Phase[Data]{
		Name:    "certs",
		Short:   "Certificate generation",
		WithAll: true,
	}
	for _, c := range certs {
		inherit := flags
		if c.name == "apiserver" {
			inherit = apiserverFlags
		}
		p.Phases = append(p.Phases, workflow.Phase[Data]{
			Name:         c.name,
			Short:        "Generate the " + c.what,
			Long:         fmt.Sprintf("Generate the %s, and save them into %s.crt and %s.key files.\n\nIf both files already exist, kubeadm skips the generation step and existing files will be used.", c.what, c.name, c.name),
			Run:          pending("generating the " + c.name + " certificate"),
			InheritFlags: inherit,
		})
	}
	p.Phases = append(p.Phases, workflow.Phase[Data]{
		Name:         "sa",
		Short:        "Generate a private key for signing service account tokens along with its public key",
		Long:         "Generate the private key for signing service account tokens along with its public key, and save them into sa.key and sa.pub files.\n\nIf both files already exist, kubeadm skips the generation step and existing files will be used.",
		Run:          pending("generating the service account key pair"),
		InheritFlags: []string{options.CertificatesDir, options.Config, options.DryRun},
	})
	return p
}
