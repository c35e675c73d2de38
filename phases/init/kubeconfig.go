package initphases

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/kadm-project/kadm/internal/progress"
	"github.com/kadm-project/kadm/kubeconfig"
	"github.com/kadm-project/kadm/phases"
	"github.com/kadm-project/kadm/phases/options"
	"github.com/kadm-project/kadm/phases/workflow"
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
		Run:     startKubeconfigs,
		Prepare: func(ctx context.Context, d Data) {
			if !d.DryRun() {
				warmKubeconfigKeys(ctx, d)
			}
		},
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
			Run:          ensureKubeconfig(f.name + ".conf"),
			InheritFlags: inherit,
		})
	}
	return p
}

// startKubeconfigs announces the directory. A dry run starts making the
// keys of the missing files here, once the certs phase has made the
// throwaway CA that signs them; a real run started them as it began.
func startKubeconfigs(ctx context.Context, d Data) error {
	progress.Printf(ctx, "[kubeconfig] Using kubeconfig folder %q\n", d.KubeConfigDir())
	if d.DryRun() {
		warmKubeconfigKeys(ctx, d)
	}
	return nil
}

// warmKubeconfigKeys starts making the client keys of the kubeconfig files
// kadm will sign and that do not exist yet. It is only a speed-up: the
// child phases report any problem.
func warmKubeconfigKeys(ctx context.Context, d Data) {
	if d.ExternalCA() {
		return
	}
	cfg := d.Cfg()
	files, err := kubeconfig.ControlPlaneFiles(cfg.NodeRegistration.Name, cfg.LocalAPIEndpoint, d.ClusterCfg())
	if err != nil {
		return
	}
	if d.DryRun() {
		if _, onHost, err := clusterCA(d); err != nil || onHost {
			// Nothing is signed with the host's CA on a dry run.
			return
		}
		files = slices.DeleteFunc(files, func(f kubeconfig.ClientFile) bool {
			return fileExists(filepath.Join(d.HostKubeConfigDir(), f.Name))
		})
	}
	d.Keys().Warm(ctx, files[0].Algorithm, kubeconfig.Missing(d.KubeConfigDir(), files))
}

// ensureKubeconfig writes one of the control-plane node's kubeconfig files,
// or keeps a valid existing one. With an external CA kadm cannot sign, so
// the file must already be there and valid. A dry run checks the host's
// file in place; one the host lacks it writes into its own directory only
// when its CA is the dry run's own: a kubeconfig signed by the host's CA
// would be a real credential.
func ensureKubeconfig(name string) func(context.Context, Data) error {
	return func(ctx context.Context, d Data) error {
		cfg := d.Cfg()
		files, err := kubeconfig.ControlPlaneFiles(cfg.NodeRegistration.Name, cfg.LocalAPIEndpoint, d.ClusterCfg())
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		i := slices.IndexFunc(files, func(f kubeconfig.ClientFile) bool { return f.Name == name })
		if i < 0 {
			return fmt.Errorf("%s is not a kubeconfig file of a control-plane node", name)
		}
		ca, caOnHost, err := clusterCA(d)
		if errors.Is(err, fs.ErrNotExist) && !d.ExternalCA() {
			return fmt.Errorf("%w: create the CA first with `%s init phase certs ca`", err, d.Program())
		}
		if err != nil {
			return err
		}
		dir := d.KubeConfigDir()
		switch {
		case !d.DryRun():
			if err := kubeconfig.CorrectDir(dir); err != nil {
				return err
			}
		case !fileExists(filepath.Join(dir, name)) && fileExists(filepath.Join(d.HostKubeConfigDir(), name)):
			dir = d.HostKubeConfigDir()
		case caOnHost && ca.Key != nil && !fileExists(filepath.Join(dir, name)):
			progress.Printf(ctx, "[dryrun] Would write %q kubeconfig file, signed by the existing ca certificate authority\n", name)
			return nil
		}
		out, err := kubeconfig.Ensure(ctx, dir, files[i], ca, d.Keys())
		if err != nil {
			return err
		}
		phases.ReportKubeconfig(ctx, d.Program(), name, out, d.ExternalCA())
		return nil
	}
}

// clusterCA is the cluster CA the kubeconfig files are signed by or checked
// against: the run's own, or on a dry run without one the host's, read
// where it is (onHost).
func clusterCA(d Data) (ca kubeconfig.CA, onHost bool, err error) {
	ca, err = kubeconfig.LoadCA(d.CertificatesDir(), d.ExternalCA())
	if errors.Is(err, fs.ErrNotExist) && d.DryRun() {
		ca, err = kubeconfig.LoadCA(d.ClusterCfg().CertificatesDir, d.ExternalCA())
		return ca, true, err
	}
	return ca, false, err
}

// fileExists is false only for a path that is certainly absent.
func fileExists(path string) bool {
	_, err := os.Stat(path)
	return !errors.Is(err, fs.ErrNotExist)
}
