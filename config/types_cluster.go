package config

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kadm-project/kadm/pkiutil"
)

// ClusterConfiguration is the cluster-wide part of the config; kadm uploads it to the
// kubeadm-config ConfigMap so that joining control-plane nodes build identical components.
type ClusterConfiguration struct {
	metav1.TypeMeta `json:",inline"`

	Etcd              Etcd       `json:"etcd,omitempty"`
	Networking        Networking `json:"networking,omitempty"`
	KubernetesVersion string     `json:"kubernetesVersion,omitempty"`
	// ControlPlaneEndpoint is the stable address (IP or DNS name, optional port) clients use;
	// in HA setups it is the load balancer in front of all API servers.
	ControlPlaneEndpoint string                  `json:"controlPlaneEndpoint,omitempty"`
	APIServer            APIServer               `json:"apiServer,omitempty"`
	ControllerManager    ControlPlaneComponent   `json:"controllerManager,omitempty"`
	Scheduler            ControlPlaneComponent   `json:"scheduler,omitempty"`
	DNS                  DNS                     `json:"dns,omitempty"`
	Proxy                Proxy                   `json:"proxy,omitempty"`
	CertificatesDir      string                  `json:"certificatesDir,omitempty"`
	ImageRepository      string                  `json:"imageRepository,omitempty"`
	FeatureGates         map[string]bool         `json:"featureGates,omitempty"`
	ClusterName          string                  `json:"clusterName,omitempty"`
	EncryptionAlgorithm  EncryptionAlgorithmType `json:"encryptionAlgorithm,omitempty"`
	// The validity periods are pointers so that an unset value can be told from "0s".
	CertificateValidityPeriod   *metav1.Duration `json:"certificateValidityPeriod,omitempty"`
	CACertificateValidityPeriod *metav1.Duration `json:"caCertificateValidityPeriod,omitempty"`
}

// ControlPlaneComponent customises one static pod kadm generates.
type ControlPlaneComponent struct {
	// ExtraArgs override kadm's own flags; later entries win and names may repeat.
	ExtraArgs    []Arg           `json:"extraArgs,omitempty"`
	ExtraVolumes []HostPathMount `json:"extraVolumes,omitempty"`
	ExtraEnvs    []EnvVar        `json:"extraEnvs,omitempty"`
}

// APIServer adds the serving certificate's extra names to the common component settings.
type APIServer struct {
	ControlPlaneComponent `json:",inline"`

	CertSANs []string `json:"certSANs,omitempty"`
}

// Arg is one command-line flag, without its leading dashes.
type Arg struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// EnvVar wraps the core type so that the config API owns its own name for it, as kubeadm's does.
type EnvVar struct {
	corev1.EnvVar `json:",inline"`
}

// HostPathMount is a host directory or file mounted into a control-plane static pod.
type HostPathMount struct {
	Name      string              `json:"name"`
	HostPath  string              `json:"hostPath"`
	MountPath string              `json:"mountPath"`
	ReadOnly  bool                `json:"readOnly,omitempty"`
	PathType  corev1.HostPathType `json:"pathType,omitempty"`
}

// DNS configures the CoreDNS add-on.
type DNS struct {
	ImageMeta `json:",inline"`

	Disabled bool `json:"disabled,omitempty"`
}

// Proxy configures the kube-proxy add-on.
type Proxy struct {
	Disabled bool `json:"disabled,omitempty"`
}

// ImageMeta overrides the image of a component that is not released with Kubernetes
// itself; a pinned tag also tells upgrades to leave the image alone.
type ImageMeta struct {
	ImageRepository string `json:"imageRepository,omitempty"`
	ImageTag        string `json:"imageTag,omitempty"`
}

// Networking holds the cluster's address ranges; each subnet may be a dual-stack
// "IPv4CIDR,IPv6CIDR" pair.
type Networking struct {
	ServiceSubnet string `json:"serviceSubnet,omitempty"`
	PodSubnet     string `json:"podSubnet,omitempty"`
	DNSDomain     string `json:"dnsDomain,omitempty"`
}

// Etcd selects between a stacked etcd that kadm runs and an external cluster; exactly one is set.
type Etcd struct {
	Local    *LocalEtcd    `json:"local,omitempty"`
	External *ExternalEtcd `json:"external,omitempty"`
}

// LocalEtcd configures the etcd static pod on each control-plane node.
type LocalEtcd struct {
	// A custom image makes upgrades skip etcd, since its version is then the user's choice.
	ImageMeta `json:",inline"`

	DataDir        string   `json:"dataDir"`
	ExtraArgs      []Arg    `json:"extraArgs,omitempty"`
	ExtraEnvs      []EnvVar `json:"extraEnvs,omitempty"`
	ServerCertSANs []string `json:"serverCertSANs,omitempty"`
	PeerCertSANs   []string `json:"peerCertSANs,omitempty"`
}

// ExternalEtcd says how to reach an etcd cluster kadm does not manage; kadm cannot guess
// where its client certificates live, so they must be given.
type ExternalEtcd struct {
	Endpoints []string `json:"endpoints"`
	// HTTPEndpoints separate metrics and health traffic from gRPC; they default to Endpoints.
	HTTPEndpoints []string `json:"httpEndpoints,omitempty"`
	CAFile        string   `json:"caFile"`
	CertFile      string   `json:"certFile"`
	KeyFile       string   `json:"keyFile"`
}

// EncryptionAlgorithmType names the key type used for every key and certificate kadm creates;
// pkiutil, which makes the keys, defines the types.
type EncryptionAlgorithmType = pkiutil.KeyAlgorithm

// The key types kubeadm v1.37 accepts.
const (
	EncryptionAlgorithmECDSAP256 = pkiutil.ECDSAP256
	EncryptionAlgorithmECDSAP384 = pkiutil.ECDSAP384
	EncryptionAlgorithmRSA2048   = pkiutil.RSA2048
	EncryptionAlgorithmRSA3072   = pkiutil.RSA3072
	EncryptionAlgorithmRSA4096   = pkiutil.RSA4096
)
