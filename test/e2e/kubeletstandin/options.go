package main

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

// kubeletOptions are the kubelet flags the stand-in acts on; it accepts and
// ignores every other kubelet flag.
type kubeletOptions struct {
	bootstrapKubeconfig string
	kubeconfig          string
	configFile          string
	hostnameOverride    string
	nodeIP              string
	nodeLabels          map[string]string
	registerWithTaints  []string
	certDir             string
	version             bool

	// Not kubelet flags: where the host's built binaries are and where the
	// stand-in keeps its state and logs.
	componentsDir string
	stateDir      string
}

func parseKubeletFlags(args []string) (*kubeletOptions, error) {
	o := &kubeletOptions{}
	fs := pflag.NewFlagSet("kubelet", pflag.ContinueOnError)
	fs.ParseErrorsAllowlist.UnknownFlags = true
	fs.StringVar(&o.bootstrapKubeconfig, "bootstrap-kubeconfig", "", "kubeconfig for the TLS bootstrap")
	fs.StringVar(&o.kubeconfig, "kubeconfig", "", "the node's kubeconfig, written by the TLS bootstrap")
	fs.StringVar(&o.configFile, "config", "", "KubeletConfiguration file")
	fs.StringVar(&o.hostnameOverride, "hostname-override", "", "node name instead of the host name")
	fs.StringVar(&o.nodeIP, "node-ip", "", "the node's InternalIP address")
	fs.StringToStringVar(&o.nodeLabels, "node-labels", nil, "labels to register the Node with")
	fs.StringSliceVar(&o.registerWithTaints, "register-with-taints", nil, "taints (key=value:effect) to register the Node with")
	fs.StringVar(&o.certDir, "cert-dir", "/var/lib/kubelet/pki", "directory of the kubelet's certificates")
	fs.BoolVar(&o.version, "version", false, "print the kubelet version")
	fs.StringVar(&o.componentsDir, "components-dir", "", "directory of the binaries static Pod images map to")
	fs.StringVar(&o.stateDir, "state-dir", defaultStateDir, "directory of the stand-in's state and logs")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	return o, nil
}

// kubeletConfig holds the KubeletConfiguration fields the stand-in uses.
type kubeletConfig struct {
	Kind                      string          `json:"kind,omitempty"`
	StaticPodPath             string          `json:"staticPodPath,omitempty"`
	HealthzBindAddress        string          `json:"healthzBindAddress,omitempty"`
	HealthzPort               *int32          `json:"healthzPort,omitempty"`
	RotateCertificates        bool            `json:"rotateCertificates,omitempty"`
	RegisterWithTaints        []corev1.Taint  `json:"registerWithTaints,omitempty"`
	NodeStatusUpdateFrequency metav1.Duration `json:"nodeStatusUpdateFrequency,omitempty"`
	NodeLeaseDurationSeconds  int32           `json:"nodeLeaseDurationSeconds,omitempty"`
	MaxPods                   int32           `json:"maxPods,omitempty"`
}

// loadKubeletConfig reads the configuration file and overlays the instance
// configuration next to it, as kubeadm's instance-config.yaml patches it.
func loadKubeletConfig(path string) (*kubeletConfig, error) {
	c := &kubeletConfig{}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if err := yaml.Unmarshal(b, c); err != nil {
		return nil, fmt.Errorf("decode %s: %w", path, err)
	}
	if c.Kind != "" && c.Kind != "KubeletConfiguration" {
		return nil, fmt.Errorf("%s holds a %s, not a KubeletConfiguration", path, c.Kind)
	}
	instance := filepath.Join(filepath.Dir(path), "instance-config.yaml")
	if b, err := os.ReadFile(instance); err == nil {
		if err := yaml.Unmarshal(b, c); err != nil {
			return nil, fmt.Errorf("decode %s: %w", instance, err)
		}
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	if c.HealthzBindAddress == "" {
		c.HealthzBindAddress = "127.0.0.1"
	}
	if c.HealthzPort == nil {
		port := int32(10248)
		c.HealthzPort = &port
	}
	if c.NodeStatusUpdateFrequency.Duration == 0 {
		c.NodeStatusUpdateFrequency.Duration = 10 * time.Second
	}
	if c.NodeLeaseDurationSeconds == 0 {
		c.NodeLeaseDurationSeconds = 40
	}
	if c.MaxPods == 0 {
		c.MaxPods = 110
	}
	return c, nil
}

func (c *kubeletConfig) healthzAddress() string {
	return net.JoinHostPort(c.HealthzBindAddress, strconv.Itoa(int(*c.HealthzPort)))
}

// nodeName is --hostname-override or the host name, lowercased, as the
// kubelet names its Node.
func (o *kubeletOptions) nodeName() (string, error) {
	name := o.hostnameOverride
	if name == "" {
		h, err := os.Hostname()
		if err != nil {
			return "", err
		}
		name = h
	}
	return strings.ToLower(strings.TrimSpace(name)), nil
}

// taints merges --register-with-taints into the configuration's list.
func (o *kubeletOptions) taints(c *kubeletConfig) ([]corev1.Taint, error) {
	taints := append([]corev1.Taint(nil), c.RegisterWithTaints...)
	for _, s := range o.registerWithTaints {
		kv, effect, ok := strings.Cut(s, ":")
		if !ok {
			return nil, fmt.Errorf("--register-with-taints %q: want key=value:effect", s)
		}
		key, value, _ := strings.Cut(kv, "=")
		taints = append(taints, corev1.Taint{Key: key, Value: value, Effect: corev1.TaintEffect(effect)})
	}
	return taints, nil
}

// hostIP is --node-ip, else the IPv4 address of the interface that holds
// the default route, which is what the kubelet falls back to.
func (o *kubeletOptions) hostIP() (net.IP, error) {
	if o.nodeIP != "" {
		first, _, _ := strings.Cut(o.nodeIP, ",")
		ip := net.ParseIP(first)
		if ip == nil {
			return nil, fmt.Errorf("--node-ip %q is not an IP address", o.nodeIP)
		}
		return ip, nil
	}
	iface, err := defaultRouteInterface()
	if err != nil {
		return nil, err
	}
	addrs, err := iface.Addrs()
	if err != nil {
		return nil, err
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil && !n.IP.IsLoopback() {
			return n.IP, nil
		}
	}
	return nil, fmt.Errorf("interface %s has no IPv4 address: pass --node-ip", iface.Name)
}

func defaultRouteInterface() (*net.Interface, error) {
	f, err := os.Open("/proc/net/route")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) > 2 && fields[1] == "00000000" {
			return net.InterfaceByName(fields[0])
		}
	}
	return nil, errors.New("no default route: pass --node-ip")
}
