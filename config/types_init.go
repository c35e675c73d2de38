package config

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// InitConfiguration holds what only `kadm init` needs on the first control-plane node. None of
// it is uploaded to the kubeadm-config ConfigMap: bootstrap tokens and the certificate key are secrets.
type InitConfiguration struct {
	metav1.TypeMeta `json:",inline"`

	BootstrapTokens  []BootstrapToken        `json:"bootstrapTokens,omitempty"`
	DryRun           bool                    `json:"dryRun,omitempty"`
	NodeRegistration NodeRegistrationOptions `json:"nodeRegistration,omitempty"`
	// LocalAPIEndpoint is this node's own API server, which in an HA cluster differs from
	// ClusterConfiguration.ControlPlaneEndpoint (the load balancer).
	LocalAPIEndpoint APIEndpoint `json:"localAPIEndpoint,omitempty"`
	// CertificateKey is the hex-encoded AES-256 key that encrypts the kubeadm-certs Secret.
	CertificateKey string    `json:"certificateKey,omitempty"`
	SkipPhases     []string  `json:"skipPhases,omitempty"`
	Patches        *Patches  `json:"patches,omitempty"`
	Timeouts       *Timeouts `json:"timeouts,omitempty"`
}

// BootstrapToken describes one token `kadm init` creates as a bootstrap-token Secret.
type BootstrapToken struct {
	// Token is nil (or empty) until the caller generates one: a config file may ask for
	// a token without choosing its value.
	Token       *BootstrapTokenString `json:"token"`
	Description string                `json:"description,omitempty"`
	// TTL and Expires are exclusive ways of saying when the Secret stops working.
	TTL     *metav1.Duration `json:"ttl,omitempty"`
	Expires *metav1.Time     `json:"expires,omitempty"`
	Usages  []string         `json:"usages,omitempty"`
	Groups  []string         `json:"groups,omitempty"`
}

// BootstrapTokenString keeps the public token ID apart from its secret so that the secret
// is only ever read on purpose (Token()); String() and fmt print the ID alone.
type BootstrapTokenString struct {
	ID     string `json:"-"`
	Secret string `json:"-"`
}

// NodeRegistrationOptions says how the node registers itself, for init and join alike.
type NodeRegistrationOptions struct {
	Name      string `json:"name,omitempty"`
	CRISocket string `json:"criSocket,omitempty"`
	// Taints is deliberately not omitempty: nil means "kubeadm's default taints",
	// while an explicit empty list (`taints: []`) means "no taints at all".
	Taints []corev1.Taint `json:"taints"`
	// KubeletExtraArgs is a list, not a map, so that a flag may be repeated and order is kept.
	KubeletExtraArgs      []Arg             `json:"kubeletExtraArgs,omitempty"`
	IgnorePreflightErrors []string          `json:"ignorePreflightErrors,omitempty"`
	ImagePullPolicy       corev1.PullPolicy `json:"imagePullPolicy,omitempty"`
	// ImagePullSerial is a pointer because its default (true) differs from Go's zero value.
	ImagePullSerial *bool `json:"imagePullSerial,omitempty"`
}

// APIEndpoint is where one API server instance listens and what address it advertises.
type APIEndpoint struct {
	AdvertiseAddress string `json:"advertiseAddress,omitempty"`
	BindPort         int32  `json:"bindPort,omitempty"`
}

// Patches points at a directory of "target[suffix][+patchtype].extension" files applied to
// what kadm generates (static pod manifests, kubelet configuration, ...).
type Patches struct {
	Directory string `json:"directory,omitempty"`
}

// Timeouts bound every wait kadm performs; pointers tell "unset" (use the default) from zero.
type Timeouts struct {
	ControlPlaneComponentHealthCheck *metav1.Duration `json:"controlPlaneComponentHealthCheck,omitempty"`
	KubeletHealthCheck               *metav1.Duration `json:"kubeletHealthCheck,omitempty"`
	KubernetesAPICall                *metav1.Duration `json:"kubernetesAPICall,omitempty"`
	EtcdAPICall                      *metav1.Duration `json:"etcdAPICall,omitempty"`
	TLSBootstrap                     *metav1.Duration `json:"tlsBootstrap,omitempty"`
	Discovery                        *metav1.Duration `json:"discovery,omitempty"`
	UpgradeManifests                 *metav1.Duration `json:"upgradeManifests,omitempty"`
}
