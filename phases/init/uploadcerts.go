package initphases

import (
	"github.com/kadm-project/kadm/app/options"
	"github.com/kadm-project/kadm/app/workflow"
)

func uploadCertsPhase() workflow.Phase[Data] {
	return workflow.Phase[Data]{
		Name:  "upload-certs",
		Short: "Upload certificates to kubeadm-certs",
		Long:  "Upload control plane certificates to the kubeadm-certs Secret",
		Run:   pending("uploading the kubeadm-certs Secret"),
		InheritFlags: []string{options.Config, options.Kubeconfig, options.UploadCerts,
			options.CertificateKey, options.SkipCertificateKeyPrint, options.DryRun},
	}
}
