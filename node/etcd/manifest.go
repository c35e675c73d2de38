package etcd

import (
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/node/staticpod"
)

// Name is the etcd Pod's and container's name, and its patch target.
const Name = "etcd"

// AdvertiseClientURLsAnnotation tells kubeadm-compatible tools, on the Pod
// itself, where this member serves clients.
const AdvertiseClientURLsAnnotation = "kubeadm.kubernetes.io/etcd.advertise-client-urls"

// Volume names of the etcd Pod.
const (
	dataVolume  = "etcd-data"
	certsVolume = "etcd-certs"
)

// Member is an etcd cluster member, as --initial-cluster lists it.
type Member struct {
	Name    string
	PeerURL string
}

// ManifestInput is everything the etcd Pod depends on.
type ManifestInput struct {
	Cluster *config.ClusterConfiguration
	// NodeName is the member's name.
	NodeName string
	// Endpoint is this node's API endpoint: etcd advertises the same
	// address on its own ports.
	Endpoint config.APIEndpoint
	// CertificateDir holds etcd's certificates under "etcd/".
	CertificateDir string
	// InitialCluster lists the members, this one included, when it joins an
	// existing cluster; empty starts a new single-member cluster.
	InitialCluster []Member
	// HealthCheckTimeout is how long etcd may take to start; zero means
	// kubeadm's default of four minutes.
	HealthCheckTimeout time.Duration
	// ImagePullPolicy of the container; empty means IfNotPresent, which is
	// what kubeadm v1.37 always writes.
	ImagePullPolicy corev1.PullPolicy
}

// Pod builds the stacked etcd member's Pod.
func Pod(in ManifestInput) (*corev1.Pod, error) {
	c := in.Cluster
	switch {
	case c == nil:
		return nil, fmt.Errorf("no ClusterConfiguration given")
	case c.Etcd.Local == nil:
		return nil, fmt.Errorf("the cluster uses an external etcd: there is no local etcd manifest to create")
	case net.ParseIP(in.Endpoint.AdvertiseAddress) == nil:
		return nil, fmt.Errorf("the advertise address %q is not an IP address: set localAPIEndpoint.advertiseAddress or --apiserver-advertise-address", in.Endpoint.AdvertiseAddress)
	case in.NodeName == "":
		return nil, fmt.Errorf("no node name given: etcd names its member after the node")
	case c.FeatureGates[config.FeatureGateRootlessControlPlane]:
		return nil, fmt.Errorf("the %s feature gate is not supported by kadm: remove it from featureGates to run etcd as root, as kubeadm does by default", config.FeatureGateRootlessControlPlane)
	}
	local := c.Etcd.Local
	certDir := filepath.Join(in.CertificateDir, "etcd")
	timeout := in.HealthCheckTimeout
	if timeout <= 0 {
		timeout = config.DefaultControlPlaneComponentHealthCheckTimeout
	}
	pull := in.ImagePullPolicy
	if pull == "" {
		pull = corev1.PullIfNotPresent
	}
	host, port, scheme := probeEndpoint(local.ExtraArgs, in.Endpoint.AdvertiseAddress)
	ctr := corev1.Container{
		Name:            Name,
		Image:           config.EtcdImage(c),
		ImagePullPolicy: pull,
		Command:         staticpod.Command(Name, flags(in), local.ExtraArgs),
		// Read-write: etcd writes its data, and reloads renewed certificates.
		VolumeMounts: []corev1.VolumeMount{
			staticpod.Mount(dataVolume, local.DataDir, false),
			staticpod.Mount(certsVolume, certDir, false),
		},
		Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{
			corev1.ResourceCPU:    resource.MustParse("100m"),
			corev1.ResourceMemory: resource.MustParse("100Mi"),
		}},
		// /livez fails only when this member is broken, /readyz also while
		// it cannot serve (no quorum); startup waits for readiness.
		LivenessProbe:  staticpod.Liveness(host, "/livez", scheme),
		ReadinessProbe: staticpod.Readiness(host, "/readyz", scheme),
		StartupProbe:   staticpod.Startup(host, "/readyz", scheme, timeout),
		Env:            staticpod.Env(local.ExtraEnvs),
		Ports:          []corev1.ContainerPort{staticpod.Port(port)},
	}
	vols := []corev1.Volume{
		staticpod.HostPath(dataVolume, local.DataDir, corev1.HostPathDirectoryOrCreate),
		staticpod.HostPath(certsVolume, certDir, corev1.HostPathDirectoryOrCreate),
	}
	annotations := map[string]string{AdvertiseClientURLsAnnotation: ClientURL(in.Endpoint.AdvertiseAddress)}
	return staticpod.New(ctr, vols, annotations), nil
}

// flags are kadm's own etcd flags, before extraArgs.
func flags(in ManifestInput) []config.Arg {
	addr := in.Endpoint.AdvertiseAddress
	lo := loopback(addr)
	pki := func(name string) string { return filepath.Join(in.CertificateDir, "etcd", name) }
	args := []config.Arg{
		{Name: "name", Value: in.NodeName},
		{Name: "listen-client-urls", Value: ClientURL(lo) + "," + ClientURL(addr)},
		{Name: "advertise-client-urls", Value: ClientURL(addr)},
		{Name: "listen-peer-urls", Value: PeerURL(addr)},
		{Name: "initial-advertise-peer-urls", Value: PeerURL(addr)},
		{Name: "data-dir", Value: in.Cluster.Etcd.Local.DataDir},
		{Name: "cert-file", Value: pki("server.crt")},
		{Name: "key-file", Value: pki("server.key")},
		{Name: "trusted-ca-file", Value: pki("ca.crt")},
		{Name: "client-cert-auth", Value: "true"},
		{Name: "peer-cert-file", Value: pki("peer.crt")},
		{Name: "peer-key-file", Value: pki("peer.key")},
		{Name: "peer-trusted-ca-file", Value: pki("ca.crt")},
		{Name: "peer-client-cert-auth", Value: "true"},
		{Name: "snapshot-count", Value: "10000"},
		// Metrics and health over plain HTTP on loopback, for the probes.
		{Name: "listen-metrics-urls", Value: "http://" + net.JoinHostPort(lo, strconv.Itoa(MetricsPort))},
		// Check the data against the other members before serving.
		{Name: "feature-gates", Value: "InitialCorruptCheck=true"},
		// Keep watch caches of the API server fresh on idle resources.
		{Name: "watch-progress-notify-interval", Value: "5s"},
	}
	if len(in.InitialCluster) == 0 {
		return append(args, config.Arg{Name: "initial-cluster", Value: in.NodeName + "=" + PeerURL(addr)})
	}
	members := make([]string, len(in.InitialCluster))
	for i, m := range in.InitialCluster {
		members[i] = m.Name + "=" + m.PeerURL
	}
	return append(args,
		config.Arg{Name: "initial-cluster", Value: strings.Join(members, ",")},
		config.Arg{Name: "initial-cluster-state", Value: "existing"})
}

// probeEndpoint is where the probes reach etcd's health endpoints: the
// first of the user's --listen-metrics-urls when given (its host defaulting
// to loopback, its port to MetricsPort), otherwise the default metrics
// listener.
func probeEndpoint(extra []config.Arg, addr string) (string, int32, corev1.URIScheme) {
	host, port, scheme := loopback(addr), int32(MetricsPort), corev1.URISchemeHTTP
	urls, ok := staticpod.ArgValue(extra, "listen-metrics-urls")
	if !ok {
		return host, port, scheme
	}
	u, err := url.Parse(strings.Split(urls, ",")[0])
	if err != nil {
		return host, port, scheme
	}
	if u.Scheme == "https" {
		scheme = corev1.URISchemeHTTPS
	}
	if h := u.Hostname(); h != "" {
		host = h
	}
	if p, err := strconv.ParseUint(u.Port(), 10, 16); err == nil && p > 0 {
		port = int32(p)
	}
	return host, port, scheme
}
