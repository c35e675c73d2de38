package joinphases

import (
	"context"

	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/kadm-project/kadm/cluster/kube"
	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/config/componentconfig"
	"github.com/kadm-project/kadm/node/machine"
	"github.com/kadm-project/kadm/node/patches"
	"github.com/kadm-project/kadm/pkiutil"
)

// Data is what every join phase reads; app builds it from flags and the
// configuration file. What needs the cluster (discovery, clients, the
// cluster's configuration) is computed on first use, once per run, so a phase
// that does not need it never waits for it.
type Data interface {
	// Cfg is the defaulted, validated JoinConfiguration.
	Cfg() *config.JoinConfiguration
	// DryRun is true when nothing on the host or in the cluster may change.
	DryRun() bool
	// DryRunPath is where a dry run writes what a real run writes at
	// hostPath: in its own directory. A dry run writes only what holds no
	// secret there (the kubelet's files, the CA, manifests); the rest it
	// describes.
	DryRunPath(hostPath string) string
	// IgnorePreflightErrors holds the preflight check names, lowercased, whose
	// errors are only warnings; "all" ignores every check.
	IgnorePreflightErrors() []string
	// PatchesDir is the --patches directory, empty when unset.
	PatchesDir() string
	// Patches is the --patches directory's patch set, read (and reported)
	// once per run; nil without --patches.
	Patches(ctx context.Context) (*patches.Set, error)
	// KubeConfigDir is where kubelet.conf and bootstrap-kubelet.conf live
	// (/etc/kubernetes).
	KubeConfigDir() string
	// KubeletDir is the kubelet's state directory (/var/lib/kubelet).
	KubeletDir() string
	// Program is the name kadm was invoked as, for commands it prints.
	Program() string
	// TLSBootstrapCfg is discovery's result: a kubeconfig that trusts the
	// cluster's CA and authenticates as the TLS bootstrap token.
	TLSBootstrapCfg(ctx context.Context) (*clientcmdapi.Config, error)
	// BootstrapClient acts with TLSBootstrapCfg's credentials.
	BootstrapClient(ctx context.Context) (kube.Interface, error)
	// Clientset acts with the credentials of a kubeconfig, such as the
	// bootstrap-kubelet.conf that kubelet-start wrote.
	Clientset(cfg *clientcmdapi.Config) (kube.Interface, error)
	// InitCfg is the cluster's configuration, read as the bootstrap token.
	InitCfg(ctx context.Context) (*ClusterState, error)
	// ManifestDir is the kubelet's static Pod directory
	// (/etc/kubernetes/manifests).
	ManifestDir() string
	// Keys is the run's key pool: a control-plane join's certs phase warms
	// it so that the leaf certificates' keys are made in parallel.
	Keys() *pkiutil.KeyPool
	// Host is this machine, as the phases reach it.
	Host() machine.Host
	// Client acts as this control-plane node's admin.conf, which
	// control-plane-prepare writes; it is built once.
	Client(ctx context.Context) (kube.Interface, error)
}

// ClusterState is what a joining node learns from the cluster itself.
type ClusterState struct {
	// Cluster is kube-system/kubeadm-config's ClusterConfiguration, defaulted.
	Cluster *config.ClusterConfiguration
	// Kubelet is kube-system/kubelet-config's KubeletConfiguration, shared by
	// every node.
	Kubelet *componentconfig.KubeletConfiguration
}

func isControlPlane(d Data) (bool, error) {
	return d.Cfg().ControlPlane != nil, nil
}
