package preflight

import (
	"context"
	"net"
	"path/filepath"

	netutils "k8s.io/utils/net"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/kubeconfig"
	"github.com/kadm-project/kadm/node/machine"
)

// JoinParams is what the join checks read besides the host.
type JoinParams struct {
	Cfg *config.JoinConfiguration
	// KubeconfigDir is where kubelet.conf and bootstrap-kubelet.conf will be
	// written; the checks keep kubeadm's names for /etc/kubernetes.
	KubeconfigDir string
	// KadmVersion is the Kubernetes release kadm is made for.
	KadmVersion string
}

// JoinChecks are kubeadm v1.37's join checks for the node, in its order,
// after RootChecks. A control-plane join runs InitChecks with Secondary set
// afterwards, once discovery has fetched the cluster's configuration.
func JoinChecks(ctx context.Context, p JoinParams, h machine.Host) []Check {
	cfg := p.Cfg
	var checks []Check
	for _, name := range []string{kubeconfig.KubeletFile, kubeconfig.BootstrapKubeletFile} {
		checks = append(checks, FileAvailable{
			Path:  filepath.Join(p.KubeconfigDir, name),
			Label: label("FileAvailable", filepath.Join(config.DefaultKubernetesDir, name)),
			Root:  h.Root,
		})
	}
	// The Kubernetes version is unknown before discovery.
	checks = append(checks, nodeChecks(ctx, h, &cfg.NodeRegistration, "", p.KadmVersion)...)
	if cfg.ControlPlane == nil {
		checks = append(checks, FileAvailable{Path: cfg.CACertPath, Root: h.Root})
	}
	if bt := cfg.Discovery.BootstrapToken; bt != nil {
		if host, _, err := net.SplitHostPort(bt.APIServerEndpoint); err == nil {
			checks = append(checks, HTTPProxy{Proto: "https", Host: host, Proxy: h.Proxy})
			if ip := netutils.ParseIPSloppy(host); ip != nil {
				checks = append(checks, forwardingChecks(h, ip.To4() != nil, ip.To4() == nil)...)
			}
		}
	}
	return checks
}
