package app

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kadm-project/kadm/cluster/clusterconfig"
	"github.com/kadm-project/kadm/cluster/copycerts"
	"github.com/kadm-project/kadm/cluster/kube"
	"github.com/kadm-project/kadm/cluster/objects"
	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/internal/progress"
	"github.com/kadm-project/kadm/phases/options"
)

// clusterConfigTimeout bounds the read of kubeadm-config by
// check-expiration and renew, which must answer when the cluster does not:
// they are what an operator runs when its certificates have expired and
// its API server is down. A cluster that answers does within it.
const clusterConfigTimeout = 3 * time.Second

// certsEnv is what the certs commands take from their surroundings; tests
// replace it.
type certsEnv struct {
	// kubeconfigDir holds the kubeconfig files whose client certificates
	// are checked and renewed: /etc/kubernetes, as for kubeadm.
	kubeconfigDir string
	// client connects to the cluster a kubeconfig names.
	client func(path string) (kube.Interface, error)
}

func newCertsCmd(s IOStreams) *cobra.Command {
	return newCertsCmdWith(s, certsEnv{client: clientFromKubeconfig, kubeconfigDir: config.DefaultKubernetesDir})
}

func newCertsCmdWith(s IOStreams, env certsEnv) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "certs",
		Aliases: []string{"certificates"},
		Short:   "Commands related to handling Kubernetes certificates",
		Args:    cobra.NoArgs,
		RunE:    requireSubcommand,
	}
	cmd.AddCommand(newCertificateKeyCmd(s), newCheckExpirationCmd(s, env), newRenewCmd(s, env), newGenerateCSRCmd(s))
	return cmd
}

// clusterFlags say which ClusterConfiguration check-expiration and renew
// work on.
type clusterFlags struct {
	cfgPath, certDir, kubeconfig string
}

func (f *clusterFlags) add(fs *pflag.FlagSet) {
	fs.StringVar(&f.cfgPath, options.Config, "", options.HelpConfig)
	fs.StringVar(&f.certDir, options.CertificatesDir, config.DefaultCertificatesDir, "The path where to save the certificates")
	fs.StringVar(&f.kubeconfig, options.Kubeconfig, config.DefaultAdminConf, options.HelpKubeconfig)
}

// cluster is the ClusterConfiguration whose certificates are checked or
// renewed: from --config; else from the cluster's kubeadm-config when the
// kubeconfig exists and the cluster answers; else the defaults. --cert-dir,
// when given, names the directory in every case. The progress lines, with
// the command's prefix, go to stdout unless quiet.
func (e certsEnv) cluster(cmd *cobra.Command, s IOStreams, f *clusterFlags, prefix string, quiet bool) (*config.ClusterConfiguration, error) {
	program := cmd.Root().Name()
	var cluster *config.ClusterConfiguration
	switch {
	case f.cfgPath != "":
		docs, err := loadConfig(program, f.cfgPath)
		if err != nil {
			return nil, err
		}
		cluster = docs.Cluster
	case exists(f.kubeconfig):
		ctx := cmd.Context()
		if quiet {
			ctx = progress.WithSink(ctx, func(string) {})
		}
		cluster = e.fromCluster(ctx, s, f.kubeconfig, prefix, program)
	}
	if cluster == nil {
		// The defaults, without a release label to resolve: the version
		// plays no part in the certificates.
		cluster = config.DefaultClusterConfiguration()
	}
	config.SetClusterDefaults(cluster)
	if cmd.Flags().Changed(options.CertificatesDir) {
		cluster.CertificatesDir = f.certDir
	}
	return cluster, nil
}

// fromCluster reads the ClusterConfiguration from the kubeadm-config
// ConfigMap, or returns nil, having said so, when it cannot: checking and
// renewing certificates must work on a control plane that is down.
func (e certsEnv) fromCluster(ctx context.Context, s IOStreams, kubeconfigPath, prefix, program string) *config.ClusterConfiguration {
	progress.Printf(ctx, "[%s] Reading configuration from the %q ConfigMap in namespace %q...\n", prefix, clusterconfig.KubeadmConfigMap, metav1.NamespaceSystem)
	progress.Printf(ctx, "[%s] Use '%s init phase upload-config kubeadm --config your-config-file' to re-upload it.\n", prefix, program)
	cluster, err := e.readCluster(ctx, kubeconfigPath, program)
	if err != nil {
		progress.Printf(ctx, "[%s] Error reading configuration from the Cluster. Falling back to default configuration\n\n", prefix)
		fmt.Fprintf(s.ErrOut, "[%s] %v\n", prefix, err)
		return nil
	}
	progress.Printf(ctx, "\n")
	return cluster
}

func (e certsEnv) readCluster(ctx context.Context, kubeconfigPath, program string) (*config.ClusterConfiguration, error) {
	client, err := e.client(kubeconfigPath)
	if err != nil {
		return nil, fmt.Errorf("connect with %s: %w", kubeconfigPath, err)
	}
	return clusterconfig.ReadCluster(ctx, client, objects.Policy{Timeout: clusterConfigTimeout}, program)
}

func newCertificateKeyCmd(s IOStreams) *cobra.Command {
	return &cobra.Command{
		Use:   "certificate-key",
		Short: "Generate certificate keys",
		Long: `This command will print out a secure randomly-generated certificate key that can be used with
the "init" command.

You can also use "kubeadm init --upload-certs" without specifying a certificate key and it will
generate and print one for you.
`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			key, err := copycerts.NewCertificateKey()
			if err != nil {
				return err
			}
			fmt.Fprintln(s.Out, key)
			return nil
		},
	}
}
