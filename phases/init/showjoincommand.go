package initphases

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/kadm-project/kadm/cluster/bootstraptoken"
	"github.com/kadm-project/kadm/internal/progress"
	"github.com/kadm-project/kadm/kubeconfig"
	"github.com/kadm-project/kadm/phases/options"
	"github.com/kadm-project/kadm/phases/workflow"
	"github.com/kadm-project/kadm/pkiutil"
)

func showJoinCommandPhase() workflow.Phase[Data] {
	return workflow.Phase[Data]{
		Name:         "show-join-command",
		Short:        "Show the join command for control-plane and worker node",
		Run:          showJoinCommand,
		InheritFlags: []string{options.Config, options.Kubeconfig, options.SkipTokenPrint, options.DryRun},
	}
}

// showJoinCommand prints kubeadm's closing message with the join commands,
// once per bootstrap token, pointing where admin.conf points.
func showJoinCommand(ctx context.Context, d Data) error {
	path := d.KubeConfigPath()
	join, err := joinTarget(d)
	if err != nil {
		return err
	}
	for _, bt := range d.Cfg().BootstrapTokens {
		token := bootstraptoken.Withheld
		if !d.SkipTokenPrint() && bt.Token != nil {
			token = bt.Token.Token()
		}
		worker := bootstraptoken.Command{Program: d.Program(), Endpoint: join.Endpoint, Token: token, CAPins: join.CAPins}
		cp := worker
		cp.ControlPlane = true
		if d.UploadCerts() {
			cp.CertificateKey = d.Cfg().CertificateKey
			if d.SkipCertificateKeyPrint() {
				cp.CertificateKey = bootstraptoken.Withheld
			}
		}
		progress.Printf(ctx, "%s", initDone(d, path, cp.String(), worker.String()))
	}
	return nil
}

// joinTarget is what the join commands point at and pin: admin.conf's
// cluster. A dry run that wrote no admin.conf, since the host's CA would
// sign it, takes the host's admin.conf, or else the API server's address and
// the host's CA.
func joinTarget(d Data) (bootstraptoken.Command, error) {
	path := d.KubeConfigPath()
	if !d.DryRun() || fileExists(path) {
		return bootstraptoken.ForKubeconfig(path)
	}
	if host := filepath.Join(d.HostKubeConfigDir(), kubeconfig.AdminFile); fileExists(host) {
		return bootstraptoken.ForKubeconfig(host)
	}
	server, err := kubeconfig.ControlPlaneURL(d.ClusterCfg().ControlPlaneEndpoint, d.Cfg().LocalAPIEndpoint)
	if err != nil {
		return bootstraptoken.Command{}, err
	}
	u, err := url.Parse(server)
	if err != nil {
		return bootstraptoken.Command{}, fmt.Errorf("the API server address %q: %w", server, err)
	}
	ca, err := os.ReadFile(pkiutil.CertPath(d.ClusterCfg().CertificatesDir, "ca"))
	if err != nil {
		return bootstraptoken.Command{}, fmt.Errorf("read the cluster CA for the join command: %w", err)
	}
	return bootstraptoken.ForCluster(bootstraptoken.Cluster{Endpoint: u.Host, CAData: ca})
}

// initDone is kubeadm's closing message, word for word where scripts and
// habits depend on it.
func initDone(d Data, kubeconfig, joinControlPlane, joinWorker string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `
Your Kubernetes control-plane has initialized successfully!

To start using your cluster, you need to run the following as a regular user:

  mkdir -p $HOME/.kube
  sudo cp -i %s $HOME/.kube/config
  sudo chown $(id -u):$(id -g) $HOME/.kube/config

Alternatively, if you are the root user, you can run:

  export KUBECONFIG=/etc/kubernetes/admin.conf

You should now deploy a pod network to the cluster.
Run "kubectl apply -f [podnetwork].yaml" with one of the options listed at:
  https://kubernetes.io/docs/concepts/cluster-administration/addons/

`, kubeconfig)
	if d.ClusterCfg().ControlPlaneEndpoint != "" {
		if d.UploadCerts() {
			fmt.Fprintf(&b, `You can now join any number of control-plane nodes running the following command on each as root:

  %s

Please note that the certificate-key gives access to cluster sensitive data, keep it secret!
As a safeguard, uploaded-certs will be deleted in two hours; If necessary, you can use
"%s init phase upload-certs --upload-certs" to reload certs afterward.

`, joinControlPlane, d.Program())
		} else {
			fmt.Fprintf(&b, `You can now join any number of control-plane nodes by copying certificate authorities
and service account keys on each node and then running the following as root:

  %s

`, joinControlPlane)
		}
	}
	fmt.Fprintf(&b, "Then you can join any number of worker nodes by running the following on each as root:\n\n%s\n", joinWorker)
	return b.String()
}
