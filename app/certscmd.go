package app

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/duration"

	"github.com/kadm-project/kadm/cluster/kube"

	"github.com/kadm-project/kadm/cluster/clusterconfig"
	"github.com/kadm-project/kadm/cluster/copycerts"
	"github.com/kadm-project/kadm/cluster/objects"
	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/internal/progress"
	"github.com/kadm-project/kadm/node/certs"
	"github.com/kadm-project/kadm/phases/options"
)

// clusterConfigTimeout bounds the read of kubeadm-config by
// check-expiration, which must answer when the cluster does not.
const clusterConfigTimeout = 10 * time.Second

// expirationOptions are the flags of `certs check-expiration`.
type expirationOptions struct {
	cfgPath       string
	certDir       string
	kubeconfig    string
	print         printFlags
	kubeconfigDir string
	// client connects to the cluster a kubeconfig names; tests put a fake
	// clientset here.
	client func(path string) (kube.Interface, error)
}

func newCertsCmd(s IOStreams) *cobra.Command {
	return newCertsCmdWith(s, &expirationOptions{client: clientFromKubeconfig, kubeconfigDir: config.DefaultKubernetesDir})
}

func newCertsCmdWith(s IOStreams, eo *expirationOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "certs",
		Aliases: []string{"certificates"},
		Short:   "Commands related to handling Kubernetes certificates",
		Args:    cobra.NoArgs,
		RunE:    requireSubcommand,
	}
	cmd.AddCommand(newCertificateKeyCmd(s), newCheckExpirationCmd(s, eo))
	return cmd
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

func newCheckExpirationCmd(s IOStreams, o *expirationOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "check-expiration",
		Short: "Check certificates expiration for a Kubernetes cluster",
		Long:  "Checks expiration for the certificates in the local PKI managed by kubeadm.",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			pr, err := o.print.printer()
			if err != nil {
				return err
			}
			cluster, err := expirationCluster(cmd, s, o)
			if err != nil {
				return err
			}
			report, err := certs.CheckExpiration(cluster, o.kubeconfigDir)
			if err != nil {
				return err
			}
			now := time.Now()
			if o.print.text() {
				return printExpirationTables(s.Out, report, now)
			}
			return pr.print(s.Out, expirationObject(report, now), true)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.cfgPath, options.Config, "", options.HelpConfig)
	f.StringVar(&o.certDir, options.CertificatesDir, config.DefaultCertificatesDir, "The path where to save the certificates")
	f.StringVar(&o.kubeconfig, options.Kubeconfig, config.DefaultAdminConf, options.HelpKubeconfig)
	addPrintFlags(f, &o.print)
	return cmd
}

// expirationCluster is the ClusterConfiguration whose certificates are
// checked: from --config; else from the cluster's kubeadm-config when the
// kubeconfig exists and the cluster answers; else the defaults. --cert-dir,
// when given, names the directory in every case.
func expirationCluster(cmd *cobra.Command, s IOStreams, o *expirationOptions) (*config.ClusterConfiguration, error) {
	var cluster *config.ClusterConfiguration
	switch {
	case o.cfgPath != "":
		docs, err := loadConfig(cmd.Root().Name(), o.cfgPath)
		if err != nil {
			return nil, err
		}
		cluster = docs.Cluster
	case exists(o.kubeconfig):
		cluster = clusterFromCluster(cmd.Context(), s, o, cmd.Root().Name())
	}
	if cluster == nil {
		cluster = &config.ClusterConfiguration{}
	}
	config.SetClusterDefaults(cluster)
	if cmd.Flags().Changed(options.CertificatesDir) {
		cluster.CertificatesDir = o.certDir
	}
	return cluster, nil
}

// clusterFromCluster reads the ClusterConfiguration from the kubeadm-config
// ConfigMap, or returns nil, having said so, when it cannot: checking
// certificates must work on a control plane that is down.
func clusterFromCluster(ctx context.Context, s IOStreams, o *expirationOptions, program string) *config.ClusterConfiguration {
	if !o.print.text() {
		// Only the report may reach stdout.
		ctx = progress.WithSink(ctx, func(string) {})
	}
	progress.Printf(ctx, "[check-expiration] Reading configuration from the %q ConfigMap in namespace %q...\n", clusterconfig.KubeadmConfigMap, metav1.NamespaceSystem)
	progress.Printf(ctx, "[check-expiration] Use '%s init phase upload-config kubeadm --config your-config-file' to re-upload it.\n", program)
	cluster, err := readClusterConfig(ctx, o, program)
	if err != nil {
		progress.Printf(ctx, "[check-expiration] Error reading configuration from the Cluster. Falling back to default configuration\n\n")
		fmt.Fprintf(s.ErrOut, "[check-expiration] %v\n", err)
		return nil
	}
	progress.Printf(ctx, "\n")
	return cluster
}

func readClusterConfig(ctx context.Context, o *expirationOptions, program string) (*config.ClusterConfiguration, error) {
	client, err := o.client(o.kubeconfig)
	if err != nil {
		return nil, fmt.Errorf("connect with %s: %w", o.kubeconfig, err)
	}
	return clusterconfig.ReadCluster(ctx, client, objects.Policy{Timeout: clusterConfigTimeout}, program)
}

// printExpirationTables writes kubeadm's two tables: certificates (with the
// kubeconfig files) and certificate authorities.
func printExpirationTables(w io.Writer, r certs.ExpirationReport, now time.Time) error {
	tw := tabwriter.NewWriter(w, 10, 4, 3, ' ', 0)
	fmt.Fprintln(tw, "CERTIFICATE\tEXPIRES\tRESIDUAL TIME\tCERTIFICATE AUTHORITY\tEXTERNALLY MANAGED")
	for _, c := range r.Certificates {
		if c.Missing {
			fmt.Fprintf(tw, "!MISSING! %s\t\t\t\t\n", c.Name)
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%-8v\n", c.Name, expiresText(c), duration.HumanDuration(residual(c, now)), c.CAName, yesNo(c.ExternallyManaged))
	}
	fmt.Fprintln(tw)
	fmt.Fprintln(tw, "CERTIFICATE AUTHORITY\tEXPIRES\tRESIDUAL TIME\tEXTERNALLY MANAGED")
	for _, c := range r.CAs {
		if c.Missing {
			fmt.Fprintf(tw, "!MISSING! %s\t\t\t\n", c.Name)
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%-8v\n", c.Name, expiresText(c), duration.HumanDuration(residual(c, now)), yesNo(c.ExternallyManaged))
	}
	return tw.Flush()
}

// residual is counted in whole seconds, as kubeadm reports it.
func residual(c certs.Expiration, now time.Time) time.Duration {
	return c.Residual(now).Truncate(time.Second)
}

func expiresText(c certs.Expiration) string {
	return c.NotAfter.UTC().Format("Jan 02, 2006 15:04 MST")
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// expirationInfo and expiringCert are kubeadm's CertificateExpirationInfo
// and Certificate output objects.
type expirationInfo struct {
	Kind                   string         `json:"kind"`
	APIVersion             string         `json:"apiVersion"`
	Certificates           []expiringCert `json:"certificates"`
	CertificateAuthorities []expiringCert `json:"certificateAuthorities"`
}

type expiringCert struct {
	Name                string      `json:"name"`
	ExpirationDate      metav1.Time `json:"expirationDate"`
	ResidualTimeSeconds int64       `json:"residualTime"`
	ExternallyManaged   bool        `json:"externallyManaged"`
	CAName              string      `json:"caName,omitempty"`
	Missing             bool        `json:"missing"`
}

func expirationObject(r certs.ExpirationReport, now time.Time) expirationInfo {
	convert := func(list []certs.Expiration) []expiringCert {
		out := make([]expiringCert, 0, len(list))
		for _, c := range list {
			e := expiringCert{Name: c.Name, CAName: c.CAName, ExternallyManaged: c.ExternallyManaged, Missing: c.Missing}
			if !c.Missing {
				e.ExpirationDate = metav1.Time{Time: c.NotAfter.UTC()}
				e.ResidualTimeSeconds = int64(c.Residual(now) / time.Second)
			}
			out = append(out, e)
		}
		return out
	}
	return expirationInfo{
		Kind: "CertificateExpirationInfo", APIVersion: outputAPIVersion,
		Certificates: convert(r.Certificates), CertificateAuthorities: convert(r.CAs),
	}
}
