package upgradephases

import (
	"context"
	"io"

	"github.com/kadm-project/kadm/cluster/kube"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/node/machine"
	"github.com/kadm-project/kadm/node/patches"
	"github.com/kadm-project/kadm/node/rollout"
)

// Node is this machine as the upgrade sees it.
type Node struct {
	// Name is the Node's name, from the kubelet's own credentials.
	Name string
	// ControlPlane is true when the node runs a control plane (its kube-apiserver
	// manifest is there).
	ControlPlane bool
	// Endpoint is this node's API server, from its manifest; control-plane nodes only.
	Endpoint config.APIEndpoint
	// CRISocket is the container runtime's endpoint.
	CRISocket string
}

// Data is what the phases of both workflows read.
type Data interface {
	// Cfg is the UpgradeConfiguration, defaulted: its timeouts bound every wait.
	Cfg() *config.UpgradeConfiguration
	// Cluster is the cluster's ClusterConfiguration, read from kubeadm-config, whose
	// KubernetesVersion is the version this run upgrades to.
	Cluster() *config.ClusterConfiguration
	Node() Node
	DryRun() bool
	EtcdUpgrade() bool
	RenewCerts() bool
	// IgnorePreflightErrors are the check names, lowercased, whose errors only warn.
	IgnorePreflightErrors() []string
	// Client reaches the cluster with --kubeconfig; it is built once.
	Client(ctx context.Context) (kube.Interface, error)
	// Patches is the --patches set, read once; nil without --patches.
	Patches(ctx context.Context) (*patches.Set, error)
	// KubernetesDir is /etc/kubernetes: kubeconfig files, certificates, backups.
	KubernetesDir() string
	// ManifestDir is the kubelet's static Pod directory.
	ManifestDir() string
	// KubeletDir is the kubelet's state directory (/var/lib/kubelet).
	KubeletDir() string
	// DryRunDir is where a dry run writes what a real run would write in place; empty on
	// a real run.
	DryRunDir() string
	Host() machine.Host
	// Program is the name kadm was invoked as; KadmVersion the release it deploys.
	Program() string
	KadmVersion() string
	// Etcd connects to the stacked etcd members.
	Etcd(ctx context.Context) (EtcdCluster, error)
	// Waiter tells when this node's kubelet runs a new manifest (NewPodWaiter).
	Waiter(ctx context.Context) (rollout.Waiter, error)
}

// ApplyData is what `upgrade apply` adds.
type ApplyData interface {
	Data
	// Interactive is true when the user must confirm (not --yes, --force or --dry-run).
	Interactive() bool
	In() io.Reader
	AllowExperimentalUpgrades() bool
	AllowRCUpgrades() bool
	ForceUpgrade() bool
}

// EtcdCluster is the part of *etcdcluster.Client the upgrade uses.
type EtcdCluster interface {
	CheckHealth(ctx context.Context) error
	WaitAvailable(ctx context.Context) error
	Close() error
}
