package app

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"
	utilnet "k8s.io/apimachinery/pkg/util/net"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/kubeconfig"
	"github.com/kadm-project/kadm/phases/options"
	"github.com/kadm-project/kadm/pkiutil"
)

// kubeconfigUserOptions are the flags of `kubeconfig user`.
type kubeconfigUserOptions struct {
	cfgPath        string
	clientName     string
	orgs           []string
	token          string
	validityPeriod time.Duration
}

// newKubeconfigCmd only groups; as kubeadm's, run alone it prints its help.
func newKubeconfigCmd(s IOStreams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "kubeconfig",
		Short: "Kubeconfig file utilities",
		Long:  "Kubeconfig file utilities.",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newKubeconfigUserCmd(s))
	return cmd
}

func newKubeconfigUserCmd(s IOStreams) *cobra.Command {
	o := &kubeconfigUserOptions{}
	cmd := &cobra.Command{
		Use:   "user",
		Short: "Output a kubeconfig file for an additional user",
		Long:  "Output a kubeconfig file for an additional user.",
		Example: `  # Output a kubeconfig file for an additional user named foo
  kubeadm kubeconfig user --client-name=foo

  # Output a kubeconfig file for an additional user named foo using a kubeadm config file bar
  kubeadm kubeconfig user --client-name=foo --config=bar`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := userKubeconfig(cmd, s, o)
			if err != nil {
				return err
			}
			b, err := clientcmd.Write(*cfg)
			if err != nil {
				return fmt.Errorf("encode the kubeconfig of %q: %w", o.clientName, err)
			}
			fmt.Fprintln(s.Out, string(b))
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.cfgPath, options.Config, "", options.HelpConfig)
	f.StringVar(&o.token, options.Token, "", "The token that should be used as the authentication mechanism for this kubeconfig, instead of client certificates")
	f.StringVar(&o.clientName, options.ClientName, "", "The name of user. It will be used as the CN if client certificates are created")
	f.StringSliceVar(&o.orgs, options.Org, nil, "The organizations of the client certificate. It will be used as the O if client certificates are created")
	f.DurationVar(&o.validityPeriod, options.ValidityPeriod, config.DefaultCertificateValidityPeriod, "The validity period of the client certificate. It is an offset from the current time.")
	_ = cmd.MarkFlagRequired(options.ClientName)
	return cmd
}

// userKubeconfig builds the kubeconfig of --client-name for the cluster that
// --config (or the defaults) describes: its name, its API server endpoint and
// its CA from certificatesDir. A client certificate needs the CA's key; a
// token needs only the CA certificate, so it also works with an external CA.
func userKubeconfig(cmd *cobra.Command, s IOStreams, o *kubeconfigUserOptions) (*clientcmdapi.Config, error) {
	if o.clientName == "" {
		return nil, usagef("--%s is empty: name the user", options.ClientName)
	}
	if o.validityPeriod <= 0 {
		return nil, usagef("--%s %s: give a positive duration", options.ValidityPeriod, o.validityPeriod)
	}
	init, cluster := &config.InitConfiguration{}, &config.ClusterConfiguration{}
	if o.cfgPath != "" {
		docs, err := loadConfig(cmd.Root().Name(), o.cfgPath)
		if err != nil {
			return nil, err
		}
		if docs.Init != nil {
			init = docs.Init
		}
		if docs.Cluster != nil {
			cluster = docs.Cluster
		}
	}
	if cluster.ControlPlaneEndpoint == "" && init.LocalAPIEndpoint.AdvertiseAddress == "" {
		// As kubeadm does, the API server is taken to listen on this host.
		ip, err := utilnet.ChooseHostInterface()
		if err != nil {
			return nil, usagef("find this host's address for the API server endpoint: %v; set controlPlaneEndpoint or localAPIEndpoint.advertiseAddress in --%s", err, options.Config)
		}
		init.LocalAPIEndpoint.AdvertiseAddress = ip.String()
	}
	config.SetInitDefaults(init)
	config.SetClusterDefaults(cluster)
	server, err := kubeconfig.ControlPlaneURL(cluster.ControlPlaneEndpoint, init.LocalAPIEndpoint)
	if err != nil {
		return nil, usagef("%v", err)
	}
	if o.validityPeriod > config.DefaultCertificateValidityPeriod {
		fmt.Fprintf(s.ErrOut, "WARNING: the specified certificate validity period %v is longer than the default duration %v, this may increase security risks.\n",
			o.validityPeriod, config.DefaultCertificateValidityPeriod)
	}
	dir := cluster.CertificatesDir
	if o.token != "" {
		ca, err := pkiutil.LoadCert(dir, "ca")
		if err != nil {
			return nil, fmt.Errorf("load the cluster CA certificate from %s: %w", dir, err)
		}
		return kubeconfig.WithToken(server, cluster.ClusterName, o.clientName, pkiutil.EncodeCertPEM(ca), o.token), nil
	}
	ca, err := kubeconfig.LoadCA(dir, false)
	if err != nil {
		if crt := pkiutil.CertPath(dir, "ca"); exists(crt) && !exists(pkiutil.KeyPath(dir, "ca")) {
			return nil, fmt.Errorf("%s has no key beside it (an external CA?) and a client certificate needs it: use --%s for a kubeconfig that authenticates with a token", crt, options.Token)
		}
		return nil, fmt.Errorf("%w (point certificatesDir, in --%s, at the cluster's ca.crt and ca.key)", err, options.Config)
	}
	f := kubeconfig.ClientFile{
		Name: "the kubeconfig", ClusterName: cluster.ClusterName, Server: server,
		User: o.clientName, Groups: o.orgs,
		Validity: o.validityPeriod, Algorithm: cluster.EncryptionAlgorithm,
	}
	return f.Build(cmd.Context(), ca, nil)
}
