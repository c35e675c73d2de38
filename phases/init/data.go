package initphases

import "github.com/kadm-project/kadm/config"

// Data is what every init phase reads; app builds it from flags and the
// configuration file.
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
	// KubeConfigDir is where the kubeconfig files are written.
	KubeConfigDir() string
	// KubeConfigPath is the kubeconfig that phases use to reach the cluster.
	KubeConfigPath() string
}

func localEtcd(d Data) (bool, error) {
	return d.ClusterCfg().Etcd.External == nil, nil
}
