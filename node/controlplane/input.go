package controlplane

import (
	"fmt"
	"net"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/kadm-project/kadm/config"
)

// The components this package builds, in the order kubeadm creates them.
const (
	KubeAPIServer         = "kube-apiserver"
	KubeControllerManager = "kube-controller-manager"
	KubeScheduler         = "kube-scheduler"
)

// Components lists the control-plane components in creation order.
func Components() []string {
	return []string{KubeAPIServer, KubeControllerManager, KubeScheduler}
}

// Input is everything a control-plane Pod depends on. The node-specific part
// (Endpoint) is separate from the cluster-wide configuration so that a
// control-plane join builds the same Pods with its own address.
type Input struct {
	Cluster *config.ClusterConfiguration
	// Endpoint is this node's API server: the address it advertises (an IP)
	// and the port it serves on.
	Endpoint config.APIEndpoint
	// CertificateDir and KubeConfigDir are where the components find their
	// certificates and kubeconfig files; they are mounted from the host.
	CertificateDir string
	KubeConfigDir  string
	// ExternalCA is true when the cluster CA's key is not on the node; the
	// controller manager then gets empty signing flags, so that its CSR
	// signer stays off instead of failing on a missing key.
	ExternalCA bool
	// CACertDirs are the host directories, among HostCACertDirs' candidates,
	// that exist; /etc/ssl/certs may link into them, so they are mounted too.
	CACertDirs []string
	// Environ is the environment (as os.Environ) whose proxy settings the
	// components inherit.
	Environ []string
	// HealthCheckTimeout is how long a component may take to start; zero
	// means kubeadm's default of four minutes.
	HealthCheckTimeout time.Duration
	// ImagePullPolicy of the containers; empty means IfNotPresent, which is
	// what kubeadm v1.37 always writes.
	ImagePullPolicy corev1.PullPolicy
}

func (in Input) check() error {
	if in.Cluster == nil {
		return fmt.Errorf("no ClusterConfiguration given")
	}
	if net.ParseIP(in.Endpoint.AdvertiseAddress) == nil {
		return fmt.Errorf("the API server advertise address %q is not an IP address: set localAPIEndpoint.advertiseAddress or --apiserver-advertise-address", in.Endpoint.AdvertiseAddress)
	}
	if in.Cluster.FeatureGates[config.FeatureGateRootlessControlPlane] {
		return fmt.Errorf("the %s feature gate is not supported by kadm: remove it from featureGates to run the control plane as root, as kubeadm does by default", config.FeatureGateRootlessControlPlane)
	}
	return nil
}

func (in Input) healthCheckTimeout() time.Duration {
	if in.HealthCheckTimeout > 0 {
		return in.HealthCheckTimeout
	}
	return config.DefaultControlPlaneComponentHealthCheckTimeout
}

func (in Input) pullPolicy() corev1.PullPolicy {
	if in.ImagePullPolicy != "" {
		return in.ImagePullPolicy
	}
	return corev1.PullIfNotPresent
}
