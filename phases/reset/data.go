package resetphases

import (
	"context"
	"io"

	"github.com/kadm-project/kadm/cluster/etcdcluster"
	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/node/machine"
)

// Data is what every reset phase reads; app builds it from the flags. The
// directories are fields so that tests reset a temporary tree.
type Data interface {
	// DryRun is true when nothing may change: the phases print what they
	// would do, from the same lists a real run acts on.
	DryRun() bool
	// Force skips the confirmation prompt.
	Force() bool
	// CleanupTmpDir adds <KubernetesDir>/tmp to the directories cleaned.
	CleanupTmpDir() bool
	// IgnorePreflightErrors holds the check names whose errors only warn.
	IgnorePreflightErrors() []string
	// In is where the answer to the confirmation prompt comes from.
	In() io.Reader
	// Program is the name kadm was invoked as, for commands it prints.
	Program() string
	// KubernetesDir is /etc/kubernetes: the kubeconfig files, and the parent
	// any certificates directory must be inside.
	KubernetesDir() string
	// ManifestDir is the static Pod directory (/etc/kubernetes/manifests).
	ManifestDir() string
	// KubeletDir is the kubelet's state directory (/var/lib/kubelet).
	KubeletDir() string
	// EtcdParentDir is /var/lib, which etcd's data directory must be inside.
	EtcdParentDir() string
	// CertificatesDir is the certificates directory to clean and where
	// the etcd client credentials are, not yet checked, with where it came
	// from for messages: --cert-dir, the cluster's configuration or the
	// default.
	CertificatesDir(ctx context.Context) (dir, source string)
	// Cluster is the cluster's ClusterConfiguration, read once through
	// --kubeconfig; nil when it cannot be read, which the first call reports.
	Cluster(ctx context.Context) *config.ClusterConfiguration
	// Etcd connects to the cluster's stacked etcd members, found through the
	// API server, with the client certificate under certDir.
	Etcd(ctx context.Context, certDir string) (EtcdCluster, error)
	// Timeouts are the configuration's, defaulted; etcdAPICall bounds the
	// removal of this node's etcd member.
	Timeouts() *config.Timeouts
	// CRISocket is the container runtime's endpoint; empty when none was
	// given or found.
	CRISocket() string
	// Host is how the phases reach this machine.
	Host() machine.Host
}

// EtcdCluster is the part of *etcdcluster.Client that reset uses.
type EtcdCluster interface {
	Endpoints() []string
	Members(ctx context.Context) ([]etcdcluster.Member, error)
	Remove(ctx context.Context, peerURL string) (bool, error)
	Close() error
}
