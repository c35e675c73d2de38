package addons

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	netutils "k8s.io/utils/net"
	"sigs.k8s.io/yaml"

	"github.com/kadm-project/kadm/cluster/clusterconfig"
	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/config/componentconfig"
)

// serviceAccountDir is where every Pod finds its service-account token and
// the cluster CA; kube-proxy's kubeconfig points at both.
const serviceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount"

func kubeProxyConfigMap(in KubeProxyInput) (*corev1.ConfigMap, error) {
	server, err := controlPlaneURL(in.Cluster.ControlPlaneEndpoint, in.LocalAPIEndpoint)
	if err != nil {
		return nil, fmt.Errorf("kube-proxy kubeconfig: %w", err)
	}
	cfg, err := kubeProxyConfiguration(in)
	if err != nil {
		return nil, err
	}
	b, err := yaml.Marshal(cfg)
	if err != nil {
		return nil, fmt.Errorf("marshal the KubeProxyConfiguration: %w", err)
	}
	cm := &corev1.ConfigMap{
		TypeMeta: typeMeta("v1", "ConfigMap"),
		ObjectMeta: metav1.ObjectMeta{
			Name:      kubeProxyName,
			Namespace: Namespace,
			Labels:    map[string]string{"app": kubeProxyName},
		},
		// Both values end without a newline, as in kubeadm's ConfigMap, so
		// that the digest below matches the one kubeadm computes.
		Data: map[string]string{
			kubeProxyKubeconfig: inClusterKubeconfig(server),
			KubeProxyConfigKey:  strings.TrimRight(string(b), "\n"),
		},
	}
	// A configuration kadm generated alone is signed, so that upgrades may
	// regenerate it; a user's is kept.
	if len(in.Config) == 0 {
		clusterconfig.Sign(cm)
	}
	return cm, nil
}

// kubeProxyConfiguration is the config file's KubeProxyConfiguration with
// kubeadm's defaults in the fields it leaves empty. Other empty fields stay
// empty: kube-proxy defaults them itself, for its own version.
func kubeProxyConfiguration(in KubeProxyInput) (*componentconfig.KubeProxyConfiguration, error) {
	cfg := &componentconfig.KubeProxyConfiguration{}
	if len(in.Config) > 0 {
		if err := yaml.UnmarshalStrict(in.Config, cfg); err != nil {
			return nil, fmt.Errorf("decode the KubeProxyConfiguration document of the config file: %w", err)
		}
	}
	cfg.APIVersion = config.KubeProxyConfigAPIVersion
	cfg.Kind = config.KindKubeProxyConfiguration
	if cfg.BindAddress == "" {
		cfg.BindAddress = "::"
		if ip := netutils.ParseIPSloppy(in.LocalAPIEndpoint.AdvertiseAddress); ip != nil && ip.To4() != nil {
			cfg.BindAddress = "0.0.0.0"
		}
	}
	if cfg.ClusterCIDR == "" {
		cfg.ClusterCIDR = in.Cluster.Networking.PodSubnet
	}
	if cfg.ClientConnection.Kubeconfig == "" {
		cfg.ClientConnection.Kubeconfig = kubeProxyConfigDir + "/" + kubeProxyKubeconfig
	}
	// kube-proxy warns when the mode is left to it; iptables is its default.
	if cfg.Mode == "" {
		cfg.Mode = "iptables"
	}
	return cfg, nil
}

// inClusterKubeconfig reaches server as the Pod's service account.
func inClusterKubeconfig(server string) string {
	return fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- cluster:
    certificate-authority: %[2]s/ca.crt
    server: %[1]s
  name: default
contexts:
- context:
    cluster: default
    namespace: default
    user: default
  name: default
current-context: default
users:
- name: default
  user:
    tokenFile: %[2]s/token`, server, serviceAccountDir)
}

// controlPlaneURL is the https URL of the cluster's stable endpoint, or of
// this node's API server when there is none. An endpoint without a port
// takes the local bind port.
func controlPlaneURL(endpoint string, local config.APIEndpoint) (string, error) {
	port := strconv.Itoa(int(local.BindPort))
	if local.BindPort < 1 || local.BindPort > 65535 {
		return "", fmt.Errorf("the API server bind port %d is not between 1 and 65535", local.BindPort)
	}
	host := endpoint
	if endpoint == "" {
		if netutils.ParseIPSloppy(local.AdvertiseAddress) == nil {
			return "", fmt.Errorf("the API server advertise address %q is not an IP address: set localAPIEndpoint.advertiseAddress or --apiserver-advertise-address", local.AdvertiseAddress)
		}
		host = local.AdvertiseAddress
	} else if h, p, err := net.SplitHostPort(endpoint); err == nil {
		host, port = h, p
	}
	return (&url.URL{Scheme: "https", Host: net.JoinHostPort(host, port)}).String(), nil
}
