package initphases

import (
	"context"
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kadm-project/kadm/cluster/copycerts"
	"github.com/kadm-project/kadm/internal/progress"
	"github.com/kadm-project/kadm/phases/options"
	"github.com/kadm-project/kadm/phases/workflow"
)

func uploadCertsPhase() workflow.Phase[Data] {
	return workflow.Phase[Data]{
		Name:  "upload-certs",
		Short: "Upload certificates to kubeadm-certs",
		Long:  "Upload control plane certificates to the kubeadm-certs Secret",
		Run:   runUploadCerts,
		InheritFlags: []string{options.Config, options.Kubeconfig, options.UploadCerts,
			options.CertificateKey, options.SkipCertificateKeyPrint, options.DryRun},
	}
}

// runUploadCerts generates the certificate key when none was given and
// stores it in the configuration, as kubeadm does, so that the join command
// printed at the end carries it.
func runUploadCerts(ctx context.Context, d Data) error {
	if !d.UploadCerts() {
		progress.Printf(ctx, "[upload-certs] Skipping phase. Please see --%s\n", options.UploadCerts)
		return nil
	}
	w, err := clusterWriter(ctx, d)
	if err != nil {
		return err
	}
	cfg := d.Cfg()
	if cfg.CertificateKey == "" {
		if cfg.CertificateKey, err = copycerts.NewCertificateKey(); err != nil {
			return err
		}
	}
	progress.Printf(ctx, "[upload-certs] Storing the certificates in Secret %q in the %q Namespace\n", copycerts.SecretName, metav1.NamespaceSystem)
	data, err := copycerts.Bundle(uploadFiles(d), cfg.CertificateKey)
	if err != nil {
		return err
	}
	if err := copycerts.Upload(ctx, w, data, time.Now()); err != nil {
		return fmt.Errorf("upload the certificates: %w", err)
	}
	if !d.SkipCertificateKeyPrint() {
		progress.Printf(ctx, "[upload-certs] Using certificate key:\n%s\n", cfg.CertificateKey)
	}
	return nil
}

// uploadFiles are the shared files upload-certs bundles; a dry run reads
// each where it finds it, in its own directory or the host's.
func uploadFiles(d Data) []copycerts.File {
	external := d.ClusterCfg().Etcd.External
	files := copycerts.Files(d.CertificatesDir(), external)
	if !d.DryRun() {
		return files
	}
	host := copycerts.Files(d.ClusterCfg().CertificatesDir, external)
	for i := range files {
		if !fileExists(files[i].Path) {
			files[i].Path = host[i].Path
		}
	}
	return files
}
