// Package options names the command-line flags that commands and the phases
// they generate share, so both sides spell a flag the same way.
package options

// Flag names, shared by the commands and the phases that inherit them.
const (
	APIServerAdvertiseAddress  = "apiserver-advertise-address"
	APIServerBindPort          = "apiserver-bind-port"
	APIServerCertSANs          = "apiserver-cert-extra-sans"
	APIServerExtraArgs         = "apiserver-extra-args"
	CertificateKey             = "certificate-key"
	CertificatesDir            = "cert-dir"
	ClientName                 = "client-name"
	Config                     = "config"
	ControlPlane               = "control-plane"
	ControlPlaneEndpoint       = "control-plane-endpoint"
	ControllerManagerExtraArgs = "controller-manager-extra-args"
	CRISocket                  = "cri-socket"
	DiscoveryFile              = "discovery-file"
	DiscoveryToken             = "discovery-token"
	DiscoveryTokenCACertHash   = "discovery-token-ca-cert-hash"
	DiscoveryTokenUnsafeSkip   = "discovery-token-unsafe-skip-ca-verification"
	DryRun                     = "dry-run"
	FeatureGates               = "feature-gates"
	IgnorePreflightErrors      = "ignore-preflight-errors"
	ImageRepository            = "image-repository"
	Kubeconfig                 = "kubeconfig"
	KubeconfigDir              = "kubeconfig-dir"
	KubernetesVersion          = "kubernetes-version"
	NodeName                   = "node-name"
	Org                        = "org"
	Output                     = "output"
	Patches                    = "patches"
	PodNetworkCIDR             = "pod-network-cidr"
	PrintJoinCommand           = "print-join-command"
	PrintManifest              = "print-manifest"
	Rootfs                     = "rootfs"
	SchedulerExtraArgs         = "scheduler-extra-args"
	ServiceCIDR                = "service-cidr"
	ServiceDNSDomain           = "service-dns-domain"
	SkipCertificateKeyPrint    = "skip-certificate-key-print"
	SkipPhases                 = "skip-phases"
	SkipTokenPrint             = "skip-token-print"
	TLSBootstrapToken          = "tls-bootstrap-token"
	Token                      = "token"
	TokenDescription           = "description"
	TokenGroups                = "groups"
	TokenTTL                   = "token-ttl"
	TokenUsages                = "usages"
	TTL                        = "ttl"
	UploadCerts                = "upload-certs"
	ValidityPeriod             = "validity-period"
)

// Help texts used by more than one command.
const (
	HelpConfig                = "Path to a kubeadm configuration file."
	HelpCRISocket             = "Path to the CRI socket to connect. If empty kubeadm will try to auto-detect this value; use this option only if you have more than one CRI installed or if you have non-standard CRI socket."
	HelpDryRun                = "Don't apply any changes; just output what would be done."
	HelpIgnorePreflightErrors = "A list of checks whose errors will be shown as warnings. Example: 'IsPrivilegedUser,Swap'. Value 'all' ignores errors from all checks."
	HelpKubeconfig            = "The kubeconfig file to use when talking to the cluster. If the flag is not set, a set of standard locations can be searched for an existing kubeconfig file."
	HelpNodeName              = "Specify the node name."
	HelpPatches               = `Path to a directory that contains files named "target[suffix][+patchtype].extension". For example, "kube-apiserver0+merge.yaml" or just "etcd.json". "target" can be one of "kube-apiserver", "kube-controller-manager", "kube-scheduler", "etcd", "kubeletconfiguration", "corednsdeployment", "kubeproxydaemonset". "patchtype" can be one of "strategic", "merge" or "json" and they match the patch formats supported by kubectl. The default "patchtype" is "strategic". "extension" must be either "json" or "yaml". "suffix" is an optional string that can be used to determine which patches are applied first alpha-numerically.`
)
