package config

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	netutils "k8s.io/utils/net"
	"sigs.k8s.io/yaml"
)

// Values kubeadm writes into the component configs it generates.
const (
	kubeletHealthzPort      = 10248
	kubeletHealthzAddress   = "127.0.0.1"
	kubeProxyKubeconfigPath = "/var/lib/kube-proxy/kubeconfig.conf"
)

// PrintInitDefaults returns what `config print init-defaults` shows: kubeadm's placeholders
// (token, advertise address, node name, CRI socket) so that the output validates as is, and
// for each requested component (KubeletConfiguration, KubeProxyConfiguration) the values
// kubeadm sets in it.
func PrintInitDefaults(components []string) ([]byte, error) {
	comps, err := checkComponents(components)
	if err != nil {
		return nil, err
	}
	token, err := NewBootstrapTokenString(PlaceholderToken)
	if err != nil {
		return nil, err
	}
	init := &InitConfiguration{
		BootstrapTokens:  []BootstrapToken{{Token: token}},
		LocalAPIEndpoint: APIEndpoint{AdvertiseAddress: PlaceholderAdvertiseAddress},
		NodeRegistration: NodeRegistrationOptions{CRISocket: DefaultCRISocket, Name: PlaceholderNodeName},
	}
	setInitStaticDefaults(init)
	cluster := DefaultClusterConfiguration()
	d := &Documents{Init: init, Cluster: cluster}
	if d.Components, err = componentDefaults(comps, cluster, init.LocalAPIEndpoint.AdvertiseAddress); err != nil {
		return nil, err
	}
	return Marshal(d)
}

// PrintJoinDefaults returns what `config print join-defaults` shows, with kubeadm's
// placeholders; the node name is "node" where kubeadm would print the host name. Like
// kubeadm v1.37's, it prints no component configs: a joining node takes the cluster's.
func PrintJoinDefaults() ([]byte, error) {
	join := &JoinConfiguration{
		Discovery: Discovery{BootstrapToken: &BootstrapTokenDiscovery{
			Token:             PlaceholderToken,
			APIServerEndpoint: PlaceholderAPIServerEndpoint,
			// Needed for the output to validate; a real join should pin the CA instead.
			UnsafeSkipCAVerification: true,
		}},
		NodeRegistration: NodeRegistrationOptions{CRISocket: DefaultCRISocket, Name: PlaceholderNodeName},
	}
	SetJoinDefaults(join)
	return Marshal(&Documents{Join: join})
}

// PrintResetDefaults returns what `config print reset-defaults` shows. Like kubeadm's, it
// names the default CRI socket, where reset itself would detect the one on the host.
func PrintResetDefaults() ([]byte, error) {
	reset := DefaultResetConfiguration()
	reset.CRISocket = DefaultCRISocket
	b, err := yaml.Marshal(reset)
	if err != nil {
		return nil, fmt.Errorf("marshal %s: %w", KindResetConfiguration, err)
	}
	return b, nil
}

// checkComponents accepts the --component-configs kinds, dropping repeats so that the output
// still loads (a kind may appear only once in a file).
func checkComponents(kinds []string) ([]string, error) {
	known := []string{KindKubeProxyConfiguration, KindKubeletConfiguration}
	var out []string
	for _, k := range kinds {
		if !slices.Contains(known, k) {
			return nil, fmt.Errorf("unknown component config %q: use some of %s", k, strings.Join(known, ", "))
		}
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out, nil
}

func componentDefaults(kinds []string, c *ClusterConfiguration, advertiseAddress string) ([]ComponentConfig, error) {
	var out []ComponentConfig
	for _, kind := range kinds {
		var doc map[string]any
		apiVersion := KubeletConfigAPIVersion
		if kind == KindKubeletConfiguration {
			doc = kubeletDefaults(c)
		} else {
			apiVersion = KubeProxyConfigAPIVersion
			doc = kubeProxyDefaults(c, advertiseAddress)
		}
		doc["apiVersion"], doc["kind"] = apiVersion, kind
		b, err := yaml.Marshal(doc)
		if err != nil {
			return nil, fmt.Errorf("marshal %s: %w", kind, err)
		}
		out = append(out, ComponentConfig{APIVersion: apiVersion, Kind: kind, YAML: b})
	}
	return out, nil
}

// kubeletDefaults holds the fields kubeadm sets in the kubelet configuration it generates:
// the kubelet must find the static pods, the cluster DNS and the CA, and must authenticate
// and authorize every request.
func kubeletDefaults(c *ClusterConfiguration) map[string]any {
	return map[string]any{
		"authentication": map[string]any{
			"anonymous": map[string]any{"enabled": false},
			"webhook":   map[string]any{"enabled": true},
			"x509":      map[string]any{"clientCAFile": filepath.Join(c.CertificatesDir, "ca.crt")},
		},
		"authorization":      map[string]any{"mode": "Webhook"},
		"cgroupDriver":       "systemd",
		"clusterDNS":         []string{ClusterDNSIP(c.Networking.ServiceSubnet)},
		"clusterDomain":      c.Networking.DNSDomain,
		"healthzBindAddress": kubeletHealthzAddress,
		"healthzPort":        kubeletHealthzPort,
		"rotateCertificates": true,
		"staticPodPath":      DefaultManifestsDir,
	}
}

// kubeProxyDefaults holds the fields kubeadm sets in the kube-proxy configuration it generates.
func kubeProxyDefaults(c *ClusterConfiguration, advertiseAddress string) map[string]any {
	bind := "::"
	if ip := netutils.ParseIPSloppy(advertiseAddress); ip != nil && ip.To4() != nil {
		bind = "0.0.0.0"
	}
	doc := map[string]any{
		"bindAddress":      bind,
		"clientConnection": map[string]any{"kubeconfig": kubeProxyKubeconfigPath},
		"mode":             "iptables",
	}
	if c.Networking.PodSubnet != "" {
		doc["clusterCIDR"] = c.Networking.PodSubnet
	}
	return doc
}

// ClusterDNSIP is the tenth address of the (first) service subnet, which kubeadm reserves for
// the cluster DNS service; an unusable subnet gives kubeadm's default, 10.96.0.10.
func ClusterDNSIP(serviceSubnet string) string {
	first, _, _ := strings.Cut(serviceSubnet, ",")
	_, cidr, err := netutils.ParseCIDRSloppy(strings.TrimSpace(first))
	if err != nil {
		return DefaultClusterDNSIP
	}
	ip, err := netutils.GetIndexedIP(cidr, 10)
	if err != nil {
		return DefaultClusterDNSIP
	}
	return ip.String()
}
