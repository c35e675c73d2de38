package bootstraptoken

import (
	"fmt"
	"net/url"
	"strings"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	certutil "k8s.io/client-go/util/cert"

	"github.com/kadm-project/kadm/pkiutil"
)

// Withheld stands in for a secret the user asked not to print.
const Withheld = "<value withheld>"

// Command is one join command line.
type Command struct {
	// Program is the name kadm was invoked as: "kubeadm" when linked so.
	Program string
	// Endpoint is the API server's host:port.
	Endpoint string
	Token    string
	// CAPins are "sha256:<hex>" hashes of the cluster CA's public keys.
	CAPins []string
	// ControlPlane adds --control-plane, and --certificate-key when
	// CertificateKey is set.
	ControlPlane   bool
	CertificateKey string
}

// String renders c in kubeadm's layout, continued over lines with
// backslashes so it can be pasted into a shell as it is.
func (c Command) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s join %s --token %s \\\n\t", c.Program, c.Endpoint, c.Token)
	for _, pin := range c.CAPins {
		fmt.Fprintf(&b, "--discovery-token-ca-cert-hash %s ", pin)
	}
	if c.ControlPlane {
		b.WriteString("\\\n\t--control-plane ")
		if c.CertificateKey != "" {
			fmt.Fprintf(&b, "--certificate-key %s", c.CertificateKey)
		}
	}
	return b.String()
}

// Cluster is what a join command needs from an admin kubeconfig.
type Cluster struct {
	// Endpoint is the server's host:port.
	Endpoint string
	// CAData is the PEM bundle the kubeconfig trusts for the server.
	CAData []byte
}

// ForKubeconfig is the join command that points where the kubeconfig at
// path points (admin.conf's current cluster) and pins the CAs it trusts;
// the caller fills in the program, the token and the control-plane fields.
func ForKubeconfig(path string) (Command, error) {
	cfg, err := clientcmd.LoadFromFile(path)
	if err != nil {
		return Command{}, fmt.Errorf("load %s: %w", path, err)
	}
	cluster, err := clusterOf(cfg, path)
	if err != nil {
		return Command{}, err
	}
	join, err := ForCluster(cluster)
	if err != nil {
		return Command{}, fmt.Errorf("%s: %w", path, err)
	}
	return join, nil
}

// ForCluster is the join command for c, pinning every CA of its bundle.
func ForCluster(c Cluster) (Command, error) {
	cas, err := certutil.ParseCertsPEM(c.CAData)
	if err != nil {
		return Command{}, fmt.Errorf("parse the cluster CA: %w", err)
	}
	pins := make([]string, 0, len(cas))
	for _, ca := range cas {
		pins = append(pins, pkiutil.PublicKeyPin(ca))
	}
	return Command{Endpoint: c.Endpoint, CAPins: pins}, nil
}

func clusterOf(cfg *clientcmdapi.Config, path string) (Cluster, error) {
	ctx, ok := cfg.Contexts[cfg.CurrentContext]
	if !ok {
		return Cluster{}, fmt.Errorf("%s: current context %q not found", path, cfg.CurrentContext)
	}
	cluster, ok := cfg.Clusters[ctx.Cluster]
	if !ok {
		return Cluster{}, fmt.Errorf("%s: cluster %q of context %q not found", path, ctx.Cluster, cfg.CurrentContext)
	}
	u, err := url.Parse(cluster.Server)
	if err != nil || u.Host == "" {
		return Cluster{}, fmt.Errorf("%s: server %q of cluster %q is not a URL with a host", path, cluster.Server, ctx.Cluster)
	}
	if len(cluster.CertificateAuthorityData) == 0 {
		return Cluster{}, fmt.Errorf("%s: cluster %q has no embedded certificate-authority-data", path, ctx.Cluster)
	}
	return Cluster{Endpoint: u.Host, CAData: cluster.CertificateAuthorityData}, nil
}
