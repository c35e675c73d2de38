package config

import (
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/kadm-project/kadm/pkiutil"
)

// API group, versions and kinds kadm understands in a config file.
const (
	GroupName = "kubeadm.k8s.io"
	V1Beta4   = GroupName + "/v1beta4"
	V1Beta3   = GroupName + "/v1beta3"
	// V1 is kubeadm's experimental API, which kubeadm v1.37 reads only with
	// --allow-experimental-api and kadm not at all.
	V1 = GroupName + "/v1"

	KindInitConfiguration    = "InitConfiguration"
	KindClusterConfiguration = "ClusterConfiguration"
	KindJoinConfiguration    = "JoinConfiguration"
	KindResetConfiguration   = "ResetConfiguration"
	KindUpgradeConfiguration = "UpgradeConfiguration"

	KindKubeletConfiguration   = "KubeletConfiguration"
	KindKubeProxyConfiguration = "KubeProxyConfiguration"
	KubeletConfigAPIVersion    = "kubelet.config.k8s.io/v1beta1"
	KubeProxyConfigAPIVersion  = "kubeproxy.config.k8s.io/v1alpha1"
)

// Versions. kubernetesVersion defaults to kubeadm's "stable-1", a release label; kadm never
// looks labels up on the internet and resolves every one, as kubeadm does when it cannot
// fetch it, to its own version, DefaultKubernetesVersion (ResolveKubernetesVersion).
const (
	DefaultKubernetesVersion      = "v1.37.2"
	DefaultKubernetesVersionLabel = "stable-1"
	// MinimumControlPlaneVersion is one minor release behind kadm's, as for kubeadm.
	MinimumControlPlaneVersion = "v1.36.0"
	// firstUnsupportedVersion is the next minor release: kubeadm warns, but does not fail, from there on.
	firstUnsupportedVersion = "v1.38.0-0"
)

// Container runtime endpoints kadm knows how to find on a Linux host.
const (
	CRISocketContainerd = "unix:///var/run/containerd/containerd.sock"
	CRISocketCRIO       = "unix:///var/run/crio/crio.sock"
	CRISocketDocker     = "unix:///var/run/cri-dockerd.sock"
	DefaultCRISocket    = CRISocketContainerd
)

// Paths, names and network defaults, equal to kubeadm v1.37's.
const (
	// DefaultKubernetesDir holds the kubeconfig files, the certificates
	// and the static Pod manifests.
	DefaultKubernetesDir   = "/etc/kubernetes"
	DefaultAdminConf       = DefaultKubernetesDir + "/admin.conf"
	DefaultCertificatesDir = DefaultKubernetesDir + "/pki"
	DefaultCACertPath      = DefaultCertificatesDir + "/ca.crt"
	DefaultManifestsDir    = DefaultKubernetesDir + "/manifests"
	// TmpDirName is kubeadm's scratch directory in the Kubernetes
	// directory, where dry runs make theirs; reset --cleanup-tmp-dir
	// empties it.
	TmpDirName    = "tmp"
	DefaultTmpDir = DefaultKubernetesDir + "/" + TmpDirName
	// DefaultVarLibDir is where the node's state directories live.
	DefaultVarLibDir       = "/var/lib"
	DefaultEtcdDataDir     = DefaultVarLibDir + "/etcd"
	DefaultKubeletDir      = DefaultVarLibDir + "/kubelet"
	DefaultImageRepository = "registry.k8s.io"
	DefaultClusterName     = "kubernetes"
	DefaultServiceSubnet   = "10.96.0.0/12"
	DefaultClusterDNSIP    = "10.96.0.10"
	DefaultDNSDomain       = "cluster.local"
	DefaultAPIBindPort     = 6443

	DefaultImagePullPolicy     = corev1.PullIfNotPresent
	DefaultEncryptionAlgorithm = EncryptionAlgorithmRSA2048

	DefaultCertificateValidityPeriod   = pkiutil.DefaultCertValidity
	DefaultCACertificateValidityPeriod = pkiutil.DefaultCAValidity
)

// The environment variables that name a dry run's directory, and the names
// of those a dry run makes itself when they are unset: kubeadm v1.37's.
const (
	EnvInitDryRunDir    = "KUBEADM_INIT_DRYRUN_DIR"
	EnvJoinDryRunDir    = "KUBEADM_JOIN_DRYRUN_DIR"
	EnvUpgradeDryRunDir = "KUBEADM_UPGRADE_DRYRUN_DIR"
	InitDryRunDirPrefix = "kubeadm-init-dryrun"
	JoinDryRunDirPrefix = "kubeadm-join-dryrun"
	// UpgradeApplyDryRunDirPrefix and UpgradeNodeDryRunDirPrefix name the
	// dry-run directories of upgrade apply and upgrade node, as kubeadm's.
	UpgradeApplyDryRunDirPrefix = "kubeadm-upgrade-apply-dryrun"
	UpgradeNodeDryRunDirPrefix  = "kubeadm-upgrade-node-dryrun"
)

// Timeouts kubeadm v1.37 uses when the config leaves them unset.
const (
	DefaultControlPlaneComponentHealthCheckTimeout = 4 * time.Minute
	DefaultKubeletHealthCheckTimeout               = 4 * time.Minute
	DefaultKubernetesAPICallTimeout                = 1 * time.Minute
	DefaultEtcdAPICallTimeout                      = 2 * time.Minute
	DefaultTLSBootstrapTimeout                     = 5 * time.Minute
	DefaultDiscoveryTimeout                        = 5 * time.Minute
	DefaultUpgradeManifestsTimeout                 = 5 * time.Minute
)

// Bootstrap tokens.
const (
	DefaultTokenTTL          = 24 * time.Hour
	DefaultTokenGroup        = "system:bootstrappers:kubeadm:default-node-token"
	TokenUsageSigning        = "signing"
	TokenUsageAuthentication = "authentication"
	// CertificateKeySize is the AES-256 key length, in bytes, behind --certificate-key.
	CertificateKeySize = 32
)

// ControlPlaneTaintKey marks control-plane nodes so that ordinary workloads stay off them.
const ControlPlaneTaintKey = "node-role.kubernetes.io/control-plane"

// FeatureGateRootlessControlPlane is the only kubeadm feature gate v1.37 knows.
const FeatureGateRootlessControlPlane = "RootlessControlPlane"

// Placeholders printed by `config print init-defaults|join-defaults`, identical to kubeadm's,
// so the printed file validates without real secrets or addresses in it.
const (
	PlaceholderToken             = "abcdef.0123456789abcdef"
	PlaceholderAdvertiseAddress  = "1.2.3.4"
	PlaceholderNodeName          = "node"
	PlaceholderAPIServerEndpoint = "kube-apiserver:6443"
)

// ControlPlaneTaint returns the taint kubeadm puts on control-plane nodes when the config
// does not say otherwise.
func ControlPlaneTaint() corev1.Taint {
	return corev1.Taint{Key: ControlPlaneTaintKey, Effect: corev1.TaintEffectNoSchedule}
}

// DefaultTokenUsages returns a fresh slice each time so callers may change it.
func DefaultTokenUsages() []string {
	return []string{TokenUsageSigning, TokenUsageAuthentication}
}
