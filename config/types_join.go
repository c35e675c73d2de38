package config

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// JoinConfiguration holds what `kadm join` needs to find the cluster, trust it and register
// this node, plus the control-plane instance to add when the node joins as one.
type JoinConfiguration struct {
	metav1.TypeMeta `json:",inline"`

	DryRun           bool                    `json:"dryRun,omitempty"`
	NodeRegistration NodeRegistrationOptions `json:"nodeRegistration,omitempty"`
	// CACertPath is where the cluster CA is written for the kubelet to trust.
	CACertPath string    `json:"caCertPath,omitempty"`
	Discovery  Discovery `json:"discovery"`
	// ControlPlane is nil for a worker node.
	ControlPlane *JoinControlPlane `json:"controlPlane,omitempty"`
	SkipPhases   []string          `json:"skipPhases,omitempty"`
	Patches      *Patches          `json:"patches,omitempty"`
	Timeouts     *Timeouts         `json:"timeouts,omitempty"`
}

// JoinControlPlane describes the API server this node will run when it joins as a control plane.
type JoinControlPlane struct {
	LocalAPIEndpoint APIEndpoint `json:"localAPIEndpoint,omitempty"`
	// CertificateKey decrypts the kubeadm-certs Secret uploaded by `init --upload-certs`.
	CertificateKey string `json:"certificateKey,omitempty"`
}

// Discovery says how the joining node learns, and decides to trust, the cluster's CA and endpoint.
// Exactly one of BootstrapToken and File is set.
type Discovery struct {
	BootstrapToken *BootstrapTokenDiscovery `json:"bootstrapToken,omitempty"`
	File           *FileDiscovery           `json:"file,omitempty"`
	// TLSBootstrapToken authenticates the kubelet's first CSR; with token discovery it
	// defaults to the discovery token.
	TLSBootstrapToken string `json:"tlsBootstrapToken,omitempty"`
}

// BootstrapTokenDiscovery fetches cluster-info anonymously and trusts it because it is signed
// with the token and its CA matches one of the pinned public key hashes.
type BootstrapTokenDiscovery struct {
	Token             string `json:"token"`
	APIServerEndpoint string `json:"apiServerEndpoint,omitempty"`
	// CACertHashes are "sha256:<hex>" hashes of the CA's Subject Public Key Info.
	CACertHashes []string `json:"caCertHashes,omitempty"`
	// UnsafeSkipCAVerification trusts whatever CA the endpoint presents; it must be asked for.
	UnsafeSkipCAVerification bool `json:"unsafeSkipCAVerification,omitempty"`
}

// FileDiscovery takes the cluster's CA and endpoint from a kubeconfig file or https URL.
type FileDiscovery struct {
	KubeConfigPath string `json:"kubeConfigPath"`
}
