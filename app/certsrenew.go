package app

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/node/certs"
	"github.com/kadm-project/kadm/pkiutil"
)

const renewLong = `Renew the %s.

Renewals run unconditionally, regardless of certificate expiration date; extra attributes such as SANs will
be based on the existing file/certificates, there is no need to resupply them.

Renewal by default tries to use the certificate authority in the local PKI managed by kubeadm; as alternative
it is possible to use K8s certificate API for certificate renewal, or as a last option, to generate a CSR request.

After renewal, in order to make changes effective, is required to restart control-plane components and
eventually re-distribute the renewed certificate in case the file is used elsewhere.`

// renewDone is kubeadm's closing line of `certs renew all`: the components
// read their certificates when they start.
const renewDone = "\nDone renewing certificates. You must restart the kube-apiserver, kube-controller-manager, kube-scheduler and etcd, so that they can use the new certificates.\n"

// newRenewCmd is `certs renew`: one subcommand per certificate kubeadm
// renews, and all.
func newRenewCmd(s IOStreams, env certsEnv) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "renew",
		Short: "Renew certificates for a Kubernetes cluster",
		Args:  cobra.NoArgs,
		RunE:  requireSubcommand,
	}
	// The subcommands are those of a cluster with a stacked etcd, as
	// kubeadm's; one of an external etcd's has fewer certificates to renew.
	for _, r := range certs.Renewals(config.DefaultClusterConfiguration()) {
		var f clusterFlags
		sub := &cobra.Command{
			Use:   r.Name,
			Short: "Renew the " + r.LongName,
			Long:  fmt.Sprintf(renewLong, r.LongName),
			Args:  cobra.NoArgs,
			RunE: func(cmd *cobra.Command, _ []string) error {
				return runRenew(cmd, s, env, &f, r.Name)
			},
		}
		f.add(sub.Flags())
		cmd.AddCommand(sub)
	}
	var f clusterFlags
	all := &cobra.Command{
		Use:   "all",
		Short: "Renew all available certificates",
		Long: `Renew all known certificates necessary to run the control plane. Renewals are run unconditionally, regardless
of expiration date. Renewals can also be run individually for more control.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := runRenew(cmd, s, env, &f, ""); err != nil {
				return err
			}
			fmt.Fprint(s.Out, renewDone)
			return nil
		},
	}
	f.add(all.Flags())
	cmd.AddCommand(all)
	return cmd
}

// runRenew renews the certificate called name, or every one of the cluster
// for "", with the CAs on disk, saying for each what became of it, in
// kubeadm's words.
func runRenew(cmd *cobra.Command, s IOStreams, env certsEnv, f *clusterFlags, name string) error {
	cluster, err := env.cluster(cmd, s, f, "renew", false)
	if err != nil {
		return err
	}
	var todo []certs.Renewal
	for _, r := range certs.Renewals(cluster) {
		if name == "" || r.Name == name {
			todo = append(todo, r)
		}
	}
	if len(todo) == 0 {
		return fmt.Errorf("%s is not a certificate of this cluster: its etcd is external (%v), so it has no etcd certificates", name, cluster.Etcd.External.Endpoints)
	}
	// The new keys are made in parallel, one for each certificate there is.
	n := 0
	for _, r := range todo {
		if exists(r.Path(cluster.CertificatesDir, env.kubeconfigDir)) {
			n++
		}
	}
	keys := pkiutil.NewKeyPool()
	keys.Warm(cmd.Context(), cluster.EncryptionAlgorithm, n)
	for _, r := range todo {
		res, err := certs.Renew(cmd.Context(), cluster, env.kubeconfigDir, r, keys)
		if err != nil {
			return err
		}
		switch res {
		case certs.Renewed:
			fmt.Fprintf(s.Out, "%s renewed\n", r.LongName)
		case certs.RenewMissing:
			fmt.Fprintf(s.Out, "MISSING! %s\n", r.LongName)
		case certs.RenewExternalCA:
			fmt.Fprintf(s.Out, "Detected external %s, %s can't be renewed\n", r.CA.BaseName, r.LongName)
		}
	}
	return nil
}
