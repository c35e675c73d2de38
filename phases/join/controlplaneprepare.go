package joinphases

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kadm-project/kadm/cluster/copycerts"
	"github.com/kadm-project/kadm/cluster/objects"
	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/internal/progress"
	"github.com/kadm-project/kadm/kubeconfig"
	"github.com/kadm-project/kadm/node/certs"
	"github.com/kadm-project/kadm/node/controlplane"
	"github.com/kadm-project/kadm/phases"
)

// controlPlaneKubeconfigs are the kubeconfig files a joining control-plane
// node writes; its kubelet.conf comes from the TLS bootstrap and
// super-admin.conf stays on the first node.
var controlPlaneKubeconfigs = []string{kubeconfig.AdminFile, kubeconfig.ControllerManagerFile, kubeconfig.SchedulerFile}

func apiPolicy(d Data) objects.Policy {
	return objects.Policy{Timeout: d.Cfg().Timeouts.KubernetesAPICall.Duration}
}

// runDownloadCerts fetches and opens the kubeadm-certs Secret with the
// certificate key and writes the shared CAs and keys, all or nothing.
// Without a key the files must have been copied by hand (preflight checked
// that). A dry run opens the Secret, so a wrong key still fails, and
// writes nothing.
func runDownloadCerts(ctx context.Context, d Data) error {
	key := d.Cfg().ControlPlane.CertificateKey
	if key == "" {
		progress.Printf(ctx, "[download-certs] Skipping certs download: no certificate key (--certificate-key); using the shared certificates on disk\n")
		return nil
	}
	state, err := d.InitCfg(ctx)
	if err != nil {
		return err
	}
	client, err := d.BootstrapClient(ctx)
	if err != nil {
		return err
	}
	dir := state.Cluster.CertificatesDir
	files := copycerts.Files(dir, state.Cluster.Etcd.External)
	progress.Printf(ctx, "[download-certs] Downloading the certificates in Secret %q in the %q Namespace\n", copycerts.SecretName, metav1.NamespaceSystem)
	if d.DryRun() {
		secret, err := copycerts.Fetch(ctx, client, apiPolicy(d), time.Now())
		if err != nil {
			return downloadHint(err, d.Program())
		}
		opened, err := copycerts.Open(secret, key, files)
		if err != nil {
			return downloadHint(err, d.Program())
		}
		for _, f := range files {
			if _, ok := opened[f.Entry]; ok && f.Path != "" {
				progress.Printf(ctx, "[dryrun] Would write file %q\n", f.Path)
			}
		}
		return nil
	}
	if err := copycerts.Download(ctx, client, apiPolicy(d), key, files); err != nil {
		return downloadHint(err, d.Program())
	}
	progress.Printf(ctx, "[download-certs] Saved the shared certificates and keys to %q\n", dir)
	return nil
}

// downloadHint adds to a failed download what the operator can do about
// it, in the name kadm was invoked as.
func downloadHint(err error, program string) error {
	switch {
	case errors.Is(err, copycerts.ErrSecretNotFound), errors.Is(err, copycerts.ErrSecretExpired):
		return fmt.Errorf("%w: run '%s init phase upload-certs --upload-certs' on a control-plane node and join with the certificate key it prints", err, program)
	case errors.Is(err, copycerts.ErrWrongKey):
		return fmt.Errorf("%w: pass the key printed by '%s init --upload-certs' (or '%s init phase upload-certs --upload-certs')", err, program, program)
	}
	return err
}

// sharedFiles are the shared certificates and keys of the cluster that a
// control-plane node cannot make itself. An external etcd's client files
// are left to preflight's ExternalEtcdClientCertificates check, which may
// be ignored.
func sharedFiles(cluster *config.ClusterConfiguration) []string {
	var files []string
	for _, f := range copycerts.Files(cluster.CertificatesDir, cluster.Etcd.External) {
		if f.Path != "" && !strings.HasPrefix(f.Entry, "external-etcd") {
			files = append(files, f.Path)
		}
	}
	return files
}

// missingFiles lists the files that do not exist.
func missingFiles(paths []string) []string {
	var missing []string
	for _, p := range paths {
		if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) {
			missing = append(missing, p)
		}
	}
	return missing
}

// runControlPlaneCerts makes this node's certificates, signed by the shared
// CAs: the API server's for this node's name and address, etcd's for its
// address, and the client certificates. CAs are never made here: a missing
// one is an error that says where it comes from.
func runControlPlaneCerts(ctx context.Context, d Data) error {
	state, err := d.InitCfg(ctx)
	if err != nil {
		return err
	}
	cluster := state.Cluster
	dir := cluster.CertificatesDir
	progress.Printf(ctx, "[certs] Using certificateDir folder %q\n", dir)
	var leaves []certs.Cert
	for _, c := range certs.ForCluster(cluster) {
		if !c.IsCA() {
			leaves = append(leaves, c)
		}
	}
	specs, err := certs.Specs(leaves, certs.JoinNode(d.Cfg()), cluster)
	if err != nil {
		return err
	}
	if d.DryRun() {
		for _, s := range specs {
			progress.Printf(ctx, "[dryrun] Would make certificate %q (DNS names %v, IPs %v) unless a valid one exists\n", s.BaseName, s.Config.AltNames.DNSNames, s.Config.AltNames.IPs)
		}
		return nil
	}
	if missing := missingFiles(sharedFiles(cluster)); len(missing) > 0 {
		return fmt.Errorf("the shared certificates are missing (%v): join with --certificate-key, or copy them from a control-plane node", missing)
	}
	d.Keys().Warm(ctx, cluster.EncryptionAlgorithm, certs.KeysToGenerate(certs.At(dir), leaves, false))
	for _, s := range specs {
		res, err := certs.Create(ctx, certs.At(dir), s, d.Keys())
		if err != nil {
			return err
		}
		phases.ReportCert(ctx, s.Cert, res)
	}
	return nil
}

// runControlPlaneKubeconfigs writes admin.conf, controller-manager.conf and
// scheduler.conf, signed by the shared CA.
func runControlPlaneKubeconfigs(ctx context.Context, d Data) error {
	state, err := d.InitCfg(ctx)
	if err != nil {
		return err
	}
	cfg := d.Cfg()
	files, err := kubeconfig.ControlPlaneFiles(cfg.NodeRegistration.Name, cfg.ControlPlane.LocalAPIEndpoint, state.Cluster)
	if err != nil {
		return err
	}
	files = slices.DeleteFunc(files, func(f kubeconfig.ClientFile) bool { return !slices.Contains(controlPlaneKubeconfigs, f.Name) })
	dir := d.KubeConfigDir()
	progress.Printf(ctx, "[kubeconfig] Using kubeconfig folder %q\n", dir)
	if d.DryRun() {
		for _, f := range files {
			progress.Printf(ctx, "[dryrun] Would write kubeconfig file %q for %q (server %s) unless a valid one exists\n", filepath.Join(dir, f.Name), f.User, f.Server)
		}
		return nil
	}
	ca, err := kubeconfig.LoadCA(state.Cluster.CertificatesDir, false)
	if err != nil {
		return fmt.Errorf("%w: join with --certificate-key, or copy the cluster CA from a control-plane node", err)
	}
	if err := kubeconfig.CorrectDir(dir); err != nil {
		return err
	}
	d.Keys().Warm(ctx, state.Cluster.EncryptionAlgorithm, kubeconfig.Missing(dir, files))
	for _, f := range files {
		out, err := kubeconfig.Ensure(ctx, dir, f, ca, d.Keys())
		if err != nil {
			return err
		}
		phases.ReportKubeconfig(ctx, d.Program(), f.Name, out, false)
	}
	return nil
}

// runControlPlaneManifests writes the API server, controller-manager and
// scheduler static Pods for this node's advertise address and bind port.
func runControlPlaneManifests(ctx context.Context, d Data) error {
	state, err := d.InitCfg(ctx)
	if err != nil {
		return err
	}
	set, err := d.Patches(ctx)
	if err != nil {
		return err
	}
	cfg := d.Cfg()
	progress.Printf(ctx, "[control-plane] Using manifest folder %q\n", d.ManifestDir())
	for _, component := range controlplane.Components() {
		progress.Printf(ctx, "[control-plane] Creating static Pod manifest for %q\n", component)
		pod, err := controlplane.Pod(component, controlplane.Input{
			Cluster:            state.Cluster,
			Endpoint:           cfg.ControlPlane.LocalAPIEndpoint,
			CertificateDir:     state.Cluster.CertificatesDir,
			KubeConfigDir:      d.KubeConfigDir(),
			CACertDirs:         controlplane.HostCACertDirs(),
			Environ:            os.Environ(),
			HealthCheckTimeout: cfg.Timeouts.ControlPlaneComponentHealthCheck.Duration,
		})
		if err != nil {
			return fmt.Errorf("build the %s static Pod: %w", component, err)
		}
		if err := writeStaticPod(ctx, d, pod, set); err != nil {
			return err
		}
	}
	return nil
}
