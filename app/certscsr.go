package app

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/kubeconfig"
	"github.com/kadm-project/kadm/node/certs"
	"github.com/kadm-project/kadm/phases/options"
	"github.com/kadm-project/kadm/pkiutil"
)

// newGenerateCSRCmd is `certs generate-csr`: keys and certificate signing
// requests for kubeadm's external CA mode.
func newGenerateCSRCmd(s IOStreams) *cobra.Command {
	var cfgPath, certDir string
	kubeconfigDir := config.DefaultKubernetesDir
	cmd := &cobra.Command{
		Use:   "generate-csr",
		Short: "Generate keys and certificate signing requests",
		Long: `Generates keys and certificate signing requests (CSRs) for all the certificates required to run the control plane.
This command also generates partial kubeconfig files with private key data in the  "users > user > client-key-data" field,
and for each kubeconfig file an accompanying ".csr" file is created.

This command is designed for use in [Kubeadm External CA Mode](https://kubernetes.io/docs/tasks/administer-cluster/kubeadm/kubeadm-certs/#external-ca-mode).
It generates CSRs which you can then submit to your external certificate authority for signing.

The PEM encoded signed certificates should then be saved alongside the key files, using ".crt" as the file extension,
or in the case of kubeconfig files, the PEM encoded signed certificate should be base64 encoded
and added to the kubeconfig file in the "users > user > client-certificate-data" field.`,
		Example: `  # The following command will generate keys and CSRs for all control-plane certificates and kubeconfig files:
  kubeadm certs generate-csr --kubeconfig-dir /tmp/etc-k8s --cert-dir /tmp/etc-k8s/pki`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			init, cluster, err := csrConfig(cmd.Root().Name(), cfgPath)
			if err != nil {
				return err
			}
			if certDir != "" {
				cluster.CertificatesDir = certDir
			}
			return runGenerateCSR(cmd, s, init, cluster, kubeconfigDir)
		},
	}
	cmd.Flags().StringVar(&cfgPath, options.Config, "", options.HelpConfig)
	cmd.Flags().StringVar(&certDir, options.CertificatesDir, "", "The path where to save the certificates")
	cmd.Flags().StringVar(&kubeconfigDir, options.KubeconfigDir, kubeconfigDir, "The path where to save the kubeconfig file.")
	return cmd
}

// csrConfig is the configuration the requests are made for: --config's, or
// the defaults, with this host's name and address as init would take them.
func csrConfig(program, path string) (*config.InitConfiguration, *config.ClusterConfiguration, error) {
	init, cluster := &config.InitConfiguration{}, &config.ClusterConfiguration{}
	if path != "" {
		docs, err := loadConfig(program, path)
		if err != nil {
			return nil, nil, err
		}
		if docs.Init != nil {
			init = docs.Init
		}
		if docs.Cluster != nil {
			cluster = docs.Cluster
		}
	}
	if err := initHostDefaults(init); err != nil {
		return nil, nil, err
	}
	config.SetInitDefaults(init)
	config.SetClusterDefaults(cluster)
	if err := config.ValidateInit(init, cluster); err != nil {
		return nil, nil, err
	}
	return init, cluster, nil
}

// runGenerateCSR writes a key and a request for every leaf certificate and
// every kubeconfig file of a control-plane node, as kubeadm does, but checks
// first that none of their files exists, so that it writes all of them or
// none.
func runGenerateCSR(cmd *cobra.Command, s IOStreams, init *config.InitConfiguration, cluster *config.ClusterConfiguration, kubeconfigDir string) error {
	dir := cluster.CertificatesDir
	specs, err := certs.Specs(certs.CSRLeaves(), certs.InitNode(init), cluster)
	if err != nil {
		return err
	}
	files, err := kubeconfig.ControlPlaneFiles(init.NodeRegistration.Name, init.LocalAPIEndpoint, cluster)
	if err != nil {
		return err
	}
	for i := range files {
		// Unlike init's, generate-csr's kubelet.conf names the
		// controlPlaneEndpoint, as admin.conf does: kubeadm's.
		if files[i].Name == kubeconfig.KubeletFile {
			files[i].Server = files[0].Server
		}
	}
	var existing []string
	for _, sp := range specs {
		existing = append(existing, present(certs.CSRFiles(dir, sp))...)
	}
	for _, f := range files {
		existing = append(existing, present(f.CSRFiles(kubeconfigDir))...)
	}
	if len(existing) > 0 {
		return fmt.Errorf("generate-csr writes new keys only, and these files exist: %v; remove them, or choose other directories (--%s, --%s)", existing, options.CertificatesDir, options.KubeconfigDir)
	}
	keys := pkiutil.NewKeyPool()
	keys.Warm(cmd.Context(), cluster.EncryptionAlgorithm, len(specs)+len(files))
	fmt.Fprintf(s.Out, "generating keys and CSRs in %s\n", dir)
	for _, sp := range specs {
		if err := certs.WriteCSR(cmd.Context(), dir, sp, keys); err != nil {
			return err
		}
		fmt.Fprintf(s.Out, "  %s\n", sp.BaseName)
	}
	fmt.Fprintf(s.Out, "generating keys and CSRs in %s\n", kubeconfigDir)
	for _, f := range files {
		if err := f.WriteCSR(cmd.Context(), kubeconfigDir, keys); err != nil {
			return err
		}
		fmt.Fprintf(s.Out, "  %s\n", f.Name)
	}
	return nil
}

// present lists the paths that exist.
func present(paths []string) []string {
	var out []string
	for _, p := range paths {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			out = append(out, filepath.Clean(p))
		}
	}
	return out
}
