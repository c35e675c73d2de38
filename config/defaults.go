package config

import (
	"net/url"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// SetInitDefaults fills the unset fields of c with kubeadm v1.37's defaults, including the
// control-plane taint. Fields that depend on the host (node name, CRI socket, advertise
// address, token values) stay empty for the caller to detect or generate.
func SetInitDefaults(c *InitConfiguration) {
	setInitStaticDefaults(c)
	if c.NodeRegistration.Taints == nil {
		c.NodeRegistration.Taints = []corev1.Taint{ControlPlaneTaint()}
	}
}

// setInitStaticDefaults is SetInitDefaults without the taint, which kubeadm adds only at
// run time and therefore leaves out of `config print init-defaults`.
func setInitStaticDefaults(c *InitConfiguration) {
	setTypeMeta(&c.TypeMeta, KindInitConfiguration)
	if len(c.BootstrapTokens) == 0 {
		c.BootstrapTokens = []BootstrapToken{{}}
	}
	for i := range c.BootstrapTokens {
		setBootstrapTokenDefaults(&c.BootstrapTokens[i])
	}
	setAPIEndpointDefaults(&c.LocalAPIEndpoint)
	setNodeRegistrationDefaults(&c.NodeRegistration)
	c.Timeouts = defaultedTimeouts(c.Timeouts)
}

// SetClusterDefaults fills the unset fields of c with kubeadm v1.37's defaults.
func SetClusterDefaults(c *ClusterConfiguration) {
	setTypeMeta(&c.TypeMeta, KindClusterConfiguration)
	setString(&c.KubernetesVersion, DefaultKubernetesVersionLabel)
	c.KubernetesVersion = NormalizeKubernetesVersion(c.KubernetesVersion)
	setString(&c.Networking.ServiceSubnet, DefaultServiceSubnet)
	setString(&c.Networking.DNSDomain, DefaultDNSDomain)
	setString(&c.CertificatesDir, DefaultCertificatesDir)
	setString(&c.ImageRepository, DefaultImageRepository)
	setString(&c.ClusterName, DefaultClusterName)
	if c.EncryptionAlgorithm == "" {
		c.EncryptionAlgorithm = DefaultEncryptionAlgorithm
	}
	setDuration(&c.CertificateValidityPeriod, DefaultCertificateValidityPeriod)
	setDuration(&c.CACertificateValidityPeriod, DefaultCACertificateValidityPeriod)

	if c.Etcd.Local == nil && c.Etcd.External == nil {
		c.Etcd.Local = &LocalEtcd{}
	}
	if c.Etcd.Local != nil {
		setString(&c.Etcd.Local.DataDir, DefaultEtcdDataDir)
	}
	if ext := c.Etcd.External; ext != nil && len(ext.HTTPEndpoints) == 0 && len(ext.Endpoints) > 0 {
		ext.HTTPEndpoints = append([]string(nil), ext.Endpoints...)
	}
}

// SetJoinDefaults fills the unset fields of c with kubeadm v1.37's defaults; a node joining as
// a control plane also gets the control-plane taint. As in kubeadm, a file:// discovery URL is
// turned into the plain path it names, the one rewrite of a set value, so that discovery
// only ever sees a path or an https URL.
func SetJoinDefaults(c *JoinConfiguration) {
	setTypeMeta(&c.TypeMeta, KindJoinConfiguration)
	setString(&c.CACertPath, DefaultCACertPath)
	if c.ControlPlane != nil {
		setAPIEndpointDefaults(&c.ControlPlane.LocalAPIEndpoint)
		if c.NodeRegistration.Taints == nil {
			c.NodeRegistration.Taints = []corev1.Taint{ControlPlaneTaint()}
		}
	}
	d := &c.Discovery
	if d.TLSBootstrapToken == "" && d.BootstrapToken != nil {
		d.TLSBootstrapToken = d.BootstrapToken.Token
	}
	if d.File != nil && d.File.KubeConfigPath != "" {
		if u, err := url.Parse(d.File.KubeConfigPath); err == nil && u.Scheme == "file" {
			d.File.KubeConfigPath = u.Path
		}
	}
	setNodeRegistrationDefaults(&c.NodeRegistration)
	c.Timeouts = defaultedTimeouts(c.Timeouts)
}

// DefaultInitConfiguration is what `kadm init` starts from without a config file.
func DefaultInitConfiguration() *InitConfiguration {
	c := &InitConfiguration{}
	SetInitDefaults(c)
	return c
}

// DefaultClusterConfiguration is kubeadm v1.37's default ClusterConfiguration, its
// kubernetesVersion the one stable-1 resolves to.
func DefaultClusterConfiguration() *ClusterConfiguration {
	// The version stable-1 resolves to, without the warning that the user's
	// own configuration gets when it leaves kubernetesVersion to the label.
	c := &ClusterConfiguration{KubernetesVersion: DefaultKubernetesVersion}
	SetClusterDefaults(c)
	return c
}

// DefaultJoinConfiguration is what `kadm join` starts from before flags fill in discovery.
func DefaultJoinConfiguration() *JoinConfiguration {
	c := &JoinConfiguration{}
	SetJoinDefaults(c)
	return c
}

// setBootstrapTokenDefaults leaves TTL unset when Expires is given: kubeadm defaults TTL
// regardless and then rejects the pair as exclusive, which makes Expires unusable.
func setBootstrapTokenDefaults(t *BootstrapToken) {
	if t.Expires == nil {
		setDuration(&t.TTL, DefaultTokenTTL)
	}
	if len(t.Usages) == 0 {
		t.Usages = DefaultTokenUsages()
	}
	if len(t.Groups) == 0 {
		t.Groups = []string{DefaultTokenGroup}
	}
}

func setAPIEndpointDefaults(e *APIEndpoint) {
	if e.BindPort == 0 {
		e.BindPort = DefaultAPIBindPort
	}
}

func setNodeRegistrationDefaults(n *NodeRegistrationOptions) {
	if n.ImagePullPolicy == "" {
		n.ImagePullPolicy = DefaultImagePullPolicy
	}
	if n.ImagePullSerial == nil {
		serial := true
		n.ImagePullSerial = &serial
	}
}

func defaultedTimeouts(t *Timeouts) *Timeouts {
	if t == nil {
		t = &Timeouts{}
	}
	setDuration(&t.ControlPlaneComponentHealthCheck, DefaultControlPlaneComponentHealthCheckTimeout)
	setDuration(&t.KubeletHealthCheck, DefaultKubeletHealthCheckTimeout)
	setDuration(&t.KubernetesAPICall, DefaultKubernetesAPICallTimeout)
	setDuration(&t.EtcdAPICall, DefaultEtcdAPICallTimeout)
	setDuration(&t.TLSBootstrap, DefaultTLSBootstrapTimeout)
	setDuration(&t.Discovery, DefaultDiscoveryTimeout)
	setDuration(&t.UpgradeManifests, DefaultUpgradeManifestsTimeout)
	return t
}

func setTypeMeta(tm *metav1.TypeMeta, kind string) {
	setString(&tm.APIVersion, V1Beta4)
	setString(&tm.Kind, kind)
}

func setString(field *string, value string) {
	if *field == "" {
		*field = value
	}
}

func setDuration(field **metav1.Duration, value time.Duration) {
	if *field == nil {
		*field = &metav1.Duration{Duration: value}
	}
}
