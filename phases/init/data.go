package initphases

import (
	"context"

	"github.com/kadm-project/kadm/cluster/kube"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/node/machine"
	"github.com/kadm-project/kadm/node/patches"
	"github.com/kadm-project/kadm/pkiutil"
)

// Data is what every init phase reads; app builds it from flags and the
// configuration file. Directories are redirected into the dry run's own
// directory on --dry-run, so phases write through them and never to fixed
// paths; what the host already has is read where it is (ClusterCfg's
// CertificatesDir, HostKubeConfigDir), never copied.
type Data interface {
	// Cfg is the defaulted, validated InitConfiguration.
	Cfg() *config.InitConfiguration
	// ClusterCfg is the defaulted, validated ClusterConfiguration.
	ClusterCfg() *config.ClusterConfiguration
	// DryRun is true when nothing on the host or in the cluster may change.
	DryRun() bool
	// IgnorePreflightErrors holds the preflight check names, lowercased, whose
	// errors are only warnings; "all" ignores every check.
	IgnorePreflightErrors() []string
	// UploadCerts is --upload-certs: store the shared certificates in the
	// kubeadm-certs Secret for control-plane joins.
	UploadCerts() bool
	// SkipTokenPrint and SkipCertificateKeyPrint keep secrets out of the
	// final output.
	SkipTokenPrint() bool
	SkipCertificateKeyPrint() bool
	// PrintManifest is the addon phases' --print-manifest.
	PrintManifest() bool
	// CertificatesDir is where this run reads and writes certificates and
	// keys: the cluster's certificatesDir, or the dry run's own directory.
	// What the written manifests name is always ClusterCfg().CertificatesDir.
	CertificatesDir() string
	// KubeConfigDir is where the kubeconfig files are written.
	KubeConfigDir() string
	// HostKubeConfigDir is the host's kubeconfig directory: KubeConfigDir,
	// except on a dry run, which checks the files there in place and
	// writes its own elsewhere.
	HostKubeConfigDir() string
	// KubeConfigPath is the kubeconfig that phases use to reach the cluster.
	KubeConfigPath() string
	// ManifestDir is the kubelet's static Pod directory.
	ManifestDir() string
	// KubeletDir is the kubelet's state directory (/var/lib/kubelet).
	KubeletDir() string
	// ExternalCA is true when the cluster CA's certificate is present
	// without its key: kadm then signs nothing with it and only checks.
	ExternalCA() bool
	// Client reaches the new cluster with KubeConfigPath; it is built once.
	Client(ctx context.Context) (kube.Interface, error)
	// Program is the name kadm was invoked as, for commands it prints.
	Program() string
	// Keys is the run's key pool: the certs phase warms it so that its
	// children find their keys made in parallel.
	Keys() *pkiutil.KeyPool
	// Patches is the --patches directory's patch set, read (and reported)
	// once per run; nil without --patches.
	Patches(ctx context.Context) (*patches.Set, error)
	// Host is this machine, as the phases reach it.
	Host() machine.Host
	// KubeletConfigDocument and KubeProxyConfigDocument are the config
	// file's KubeletConfiguration and KubeProxyConfiguration documents as
	// written; nil when the file has none.
	KubeletConfigDocument() []byte
	KubeProxyConfigDocument() []byte
}

func localEtcd(d Data) (bool, error) {
	return d.ClusterCfg().Etcd.External == nil, nil
}
