package config

import (
	"net"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	netutils "k8s.io/utils/net"

	"github.com/kadm-project/kadm/pkiutil"
)

// Limits kubeadm puts on the cluster's subnets.
const (
	minServiceSubnetAddresses = 10
	maxServiceSubnetHostBits  = 20
	minPodSubnetAddresses     = 14
	// maxNodeMaskDiff bounds how many node subnets the pod subnet may hold, because the
	// controller manager tracks them in an uncompressed bitmap.
	maxNodeMaskDiff     = 16
	defaultNodeMaskIPv4 = 24
	defaultNodeMaskIPv6 = 64
)

func validateCluster(errs *fieldErrors, c *ClusterConfiguration) {
	if c.DNS.ImageRepository != "" {
		validateImageRepository(errs, c.DNS.ImageRepository, "dns.imageRepository")
	}
	validateNetworking(errs, c)
	validateCertSANs(errs, c.APIServer.CertSANs, "apiServer.certSANs")
	validateComponent(errs, &c.APIServer.ControlPlaneComponent, "apiServer")
	validateComponent(errs, &c.ControllerManager, "controllerManager")
	validateComponent(errs, &c.Scheduler, "scheduler")
	validateAbsPath(errs, c.CertificatesDir, "certificatesDir")
	validateFeatureGates(errs, c.FeatureGates)
	if c.ControlPlaneEndpoint != "" && !validHostPort(c.ControlPlaneEndpoint) {
		errs.add("controlPlaneEndpoint", "%q must be an IP address or DNS name, optionally followed by :port (1-65535)", c.ControlPlaneEndpoint)
	}
	validateImageRepository(errs, c.ImageRepository, "imageRepository")
	validateEtcd(errs, &c.Etcd)
	if !slices.Contains(pkiutil.KeyAlgorithms(), c.EncryptionAlgorithm) {
		errs.add("encryptionAlgorithm", "%q is not supported: use one of %v", c.EncryptionAlgorithm, pkiutil.KeyAlgorithms())
	}
	validateKubernetesVersion(errs, c.KubernetesVersion)
	for _, f := range []struct {
		name string
		p    *metav1.Duration
	}{
		{"certificateValidityPeriod", c.CertificateValidityPeriod},
		{"caCertificateValidityPeriod", c.CACertificateValidityPeriod},
	} {
		if f.p != nil && f.p.Duration <= 0 {
			errs.add(f.name, "%s must be positive", f.p.Duration)
		}
	}
}

func validateComponent(errs *fieldErrors, c *ControlPlaneComponent, path string) {
	validateArgs(errs, c.ExtraArgs, path+".extraArgs")
	validateVolumes(errs, c.ExtraVolumes, path+".extraVolumes")
	validateEnvs(errs, c.ExtraEnvs, path+".extraEnvs")
}

// validateVolumes catches what would otherwise surface only as a static pod the kubelet refuses.
func validateVolumes(errs *fieldErrors, vols []HostPathMount, path string) {
	for i, v := range vols {
		p := index(path, i)
		if v.Name == "" {
			errs.add(p+".name", "required")
		}
		if v.HostPath == "" {
			errs.add(p+".hostPath", "required")
		}
		if v.MountPath == "" {
			errs.add(p+".mountPath", "required")
		}
		switch v.PathType {
		case corev1.HostPathUnset, corev1.HostPathDirectoryOrCreate, corev1.HostPathDirectory,
			corev1.HostPathFileOrCreate, corev1.HostPathFile, corev1.HostPathSocket,
			corev1.HostPathCharDev, corev1.HostPathBlockDev:
		default:
			errs.add(p+".pathType", "%q is not a host path type", v.PathType)
		}
	}
}

func validateEnvs(errs *fieldErrors, envs []EnvVar, path string) {
	for i, e := range envs {
		if e.Name == "" {
			errs.add(index(path, i)+".name", "required")
		}
	}
}

func validateNetworking(errs *fieldErrors, c *ClusterConfiguration) {
	for _, msg := range validation.IsDNS1123Subdomain(c.Networking.DNSDomain) {
		errs.add("networking.dnsDomain", "%q is not a valid DNS domain: %s", c.Networking.DNSDomain, msg)
	}
	if s := c.Networking.ServiceSubnet; s != "" {
		const path = "networking.serviceSubnet"
		for _, cidr := range validateSubnets(errs, s, minServiceSubnetAddresses, path) {
			ones, bits := cidr.Mask.Size()
			if bits-ones > maxServiceSubnetHostBits {
				errs.add(path, "%s is too large: for %d-bit addresses the mask must be at least /%d", cidr, bits, bits-maxServiceSubnetHostBits)
			}
		}
	}
	if s := c.Networking.PodSubnet; s != "" {
		cidrs := validateSubnets(errs, s, minPodSubnetAddresses, "networking.podSubnet")
		if lastArg(c.ControllerManager.ExtraArgs, "allocate-node-cidrs") != "false" {
			validateNodeMasks(errs, cidrs, c.ControllerManager.ExtraArgs)
		}
	}
}

// validateSubnets checks one CIDR, or a dual-stack pair, and returns those that parsed.
func validateSubnets(errs *fieldErrors, s string, minAddrs int64, path string) []*net.IPNet {
	cidrs, err := netutils.ParseCIDRs(strings.Split(s, ","))
	if err != nil {
		errs.add(path, "%q is not a CIDR or a comma-separated pair of CIDRs", s)
		return nil
	}
	if len(cidrs) > 2 {
		errs.add(path, "%q: expected one CIDR, or one IPv4 and one IPv6 CIDR for dual-stack", s)
	} else if len(cidrs) == 2 {
		if dual, err := netutils.IsDualStackCIDRs(cidrs); err != nil || !dual {
			errs.add(path, "%q: a pair of CIDRs must be one IPv4 and one IPv6 (dual-stack)", s)
		}
	}
	for _, cidr := range cidrs {
		if n := netutils.RangeSize(cidr); n < minAddrs {
			errs.add(path, "%s holds %d address(es): at least %d are needed", cidr, n, minAddrs)
		}
	}
	return cidrs
}

// validateNodeMasks checks each pod subnet against the per-node subnet size the controller
// manager will carve out of it.
func validateNodeMasks(errs *fieldErrors, cidrs []*net.IPNet, cmArgs []Arg) {
	const path = "networking.podSubnet"
	for _, cidr := range cidrs {
		flag, nodeMask := "node-cidr-mask-size-ipv4", defaultNodeMaskIPv4
		if netutils.IsIPv6CIDR(cidr) {
			flag, nodeMask = "node-cidr-mask-size-ipv6", defaultNodeMaskIPv6
		}
		if v := lastArg(cmArgs, flag); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				errs.add(path, "controllerManager.extraArgs %s=%q is not an integer", flag, v)
				continue
			}
			nodeMask = n
		}
		ones, _ := cidr.Mask.Size()
		switch {
		case ones > nodeMask:
			errs.add(path, "%s (mask /%d) is smaller than one node's subnet (mask /%d)", cidr, ones, nodeMask)
		case nodeMask-ones > maxNodeMaskDiff:
			errs.add(path, "%s (mask /%d) and the node mask /%d differ by more than %d bits", cidr, ones, nodeMask, maxNodeMaskDiff)
		}
	}
}

// lastArg returns the value the component will see for a flag: the last occurrence wins.
func lastArg(args []Arg, name string) string {
	for i := len(args) - 1; i >= 0; i-- {
		if args[i].Name == name {
			return args[i].Value
		}
	}
	return ""
}

// validateCertSANs accepts IPs, DNS names and wildcard DNS names. kubeadm lowercases SANs
// before checking them, so upper case is accepted here too.
func validateCertSANs(errs *fieldErrors, sans []string, path string) {
	for i, san := range sans {
		lower := strings.ToLower(san)
		if len(validation.IsDNS1123Subdomain(lower)) == 0 || len(validation.IsWildcardDNS1123Subdomain(lower)) == 0 {
			continue
		}
		if netutils.ParseIPSloppy(san) == nil {
			errs.add(index(path, i), "%q is not an IP address, a DNS name or a wildcard DNS name", san)
		}
	}
}

func validateAbsPath(errs *fieldErrors, p, path string) {
	if !isAbsPath(p) {
		errs.add(path, "%q is not an absolute path", p)
	}
}

// FeatureGates are kubeadm v1.37's own feature gates (not the components'),
// each with its stage and default as --feature-gates's help shows them.
func FeatureGates() map[string]string {
	return map[string]string{FeatureGateRootlessControlPlane: "ALPHA - default=false"}
}

func validateFeatureGates(errs *fieldErrors, gates map[string]bool) {
	names := make([]string, 0, len(gates))
	for name := range gates {
		names = append(names, name)
	}
	sort.Strings(names)
	known := FeatureGates()
	for _, name := range names {
		if _, ok := known[name]; !ok {
			errs.add("featureGates."+name, "unknown feature gate: kubeadm v1.37 knows only %s", FeatureGateRootlessControlPlane)
		}
	}
}

// imageReference follows the distribution reference grammar for "domain/path:tag".
// It is compiled on first use: every kadm command would pay for it at start-up.
var imageReference = sync.OnceValue(func() *regexp.Regexp {
	const (
		domainComponent = `(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])`
		host            = `(?:` + domainComponent + `(?:\.` + domainComponent + `)*|\[[a-fA-F0-9:]+\])`
		domain          = host + `(?::[0-9]+)?`
		pathComponent   = `[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*`
		name            = `(?:` + domain + `/)?` + pathComponent + `(?:/` + pathComponent + `)*`
		tag             = `[\w][\w.-]{0,127}`
	)
	return regexp.MustCompile(`^` + name + `(?::` + tag + `)?$`)
})

func validateImageRepository(errs *fieldErrors, repo, path string) {
	if !imageReference().MatchString(repo + "/name:tag") {
		errs.add(path, "%q is not a valid image repository (expected e.g. registry.example.com/path)", repo)
	}
}

func validateEtcd(errs *fieldErrors, e *Etcd) {
	switch {
	case e.Local == nil && e.External == nil:
		errs.add("etcd", "set either local or external")
		return
	case e.Local != nil && e.External != nil:
		errs.add("etcd", "local and external are mutually exclusive: set only one")
		return
	}
	if l := e.Local; l != nil {
		validateAbsPath(errs, l.DataDir, "etcd.local.dataDir")
		validateCertSANs(errs, l.ServerCertSANs, "etcd.local.serverCertSANs")
		validateCertSANs(errs, l.PeerCertSANs, "etcd.local.peerCertSANs")
		if l.ImageRepository != "" {
			validateImageRepository(errs, l.ImageRepository, "etcd.local.imageRepository")
		}
		validateArgs(errs, l.ExtraArgs, "etcd.local.extraArgs")
		validateEnvs(errs, l.ExtraEnvs, "etcd.local.extraEnvs")
		return
	}
	validateExternalEtcd(errs, e.External)
}

func validateExternalEtcd(errs *fieldErrors, x *ExternalEtcd) {
	const path = "etcd.external"
	tls := x.CAFile != "" || x.CertFile != "" || x.KeyFile != ""
	if (x.CertFile == "") != (x.KeyFile == "") {
		errs.add(path, "certFile and keyFile must be set together")
	}
	if x.CertFile != "" && x.KeyFile != "" && x.CAFile == "" {
		errs.add(path+".caFile", "required when certFile and keyFile are set")
	}
	if len(x.Endpoints) == 0 {
		errs.add(path+".endpoints", "at least one endpoint is required")
	}
	validateURLs(errs, x.Endpoints, tls, path+".endpoints")
	validateURLs(errs, x.HTTPEndpoints, false, path+".httpEndpoints")
	for _, f := range []struct{ name, value string }{
		{"caFile", x.CAFile}, {"certFile", x.CertFile}, {"keyFile", x.KeyFile},
	} {
		if f.value != "" {
			validateAbsPath(errs, f.value, path+"."+f.name)
		}
	}
}

// validateURLs requires https once client certificates are configured, since they would
// otherwise be offered over a plain connection.
func validateURLs(errs *fieldErrors, urls []string, requireHTTPS bool, path string) {
	for i, s := range urls {
		p := index(path, i)
		u, err := url.Parse(s)
		switch {
		case err != nil:
			errs.add(p, "%q is not a valid URL: %v", s, err)
		case u.Scheme == "":
			errs.add(p, "%q has no scheme: write https://host:port", s)
		case requireHTTPS && u.Scheme != "https":
			errs.add(p, "%q must use https when caFile, certFile or keyFile is set", s)
		}
	}
}
