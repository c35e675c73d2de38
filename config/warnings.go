package config

import (
	"strings"

	netutils "k8s.io/utils/net"
)

// InitWarnings lists what kubeadm accepts but warns about in an init configuration (and its
// cluster configuration, when c is not nil). The caller prints them; none stops the command.
func InitWarnings(i *InitConfiguration, c *ClusterConfiguration) []FieldError {
	var w fieldErrors
	if i != nil {
		warnCRISocket(&w, i.NodeRegistration.CRISocket, "nodeRegistration.criSocket")
		warnPatches(&w, i.Patches)
	}
	if c != nil {
		warnCluster(&w, c)
	}
	return w
}

// JoinWarnings lists what kubeadm accepts but warns about in a join configuration.
func JoinWarnings(j *JoinConfiguration) []FieldError {
	var w fieldErrors
	warnCRISocket(&w, j.NodeRegistration.CRISocket, "nodeRegistration.criSocket")
	warnPatches(&w, j.Patches)
	return w
}

func warnCRISocket(w *fieldErrors, socket, path string) {
	if bareSocketPath(socket) {
		w.add(path, "%q has no URL scheme, which is deprecated and may stop working with the kubelet: using %q; please write that in the configuration", socket, CRISocketURL(socket))
	}
}

func warnPatches(w *fieldErrors, p *Patches) {
	switch {
	case p == nil:
	case p.Directory == "":
		w.add("patches.directory", "empty: no patches will be applied")
	case !isAbsPath(p.Directory):
		w.add("patches.directory", "%q is relative: it is resolved against the current directory", p.Directory)
	}
}

func warnCluster(w *fieldErrors, c *ClusterConfiguration) {
	if newerThanSupported(c.KubernetesVersion) {
		w.add("kubernetesVersion", "%s is newer than kadm supports (%s.x): consider a newer kadm", c.KubernetesVersion, DefaultKubernetesVersion[:strings.LastIndex(DefaultKubernetesVersion, ".")])
	}
	if c.FeatureGates[FeatureGateRootlessControlPlane] {
		w.add("featureGates."+FeatureGateRootlessControlPlane, "deprecated in favour of the kubelet's UserNamespacesSupport feature")
	}
	cert, ca := c.CertificateValidityPeriod, c.CACertificateValidityPeriod
	if cert != nil && cert.Duration > DefaultCertificateValidityPeriod {
		w.add("certificateValidityPeriod", "%s is longer than the recommended %s", cert.Duration, DefaultCertificateValidityPeriod)
	}
	if ca != nil && ca.Duration > DefaultCACertificateValidityPeriod {
		w.add("caCertificateValidityPeriod", "%s is longer than the recommended %s", ca.Duration, DefaultCACertificateValidityPeriod)
	}
	if cert != nil && ca != nil && cert.Duration > ca.Duration {
		w.add("certificateValidityPeriod", "%s outlasts the CA's %s: certificates cannot be valid after their CA expires", cert.Duration, ca.Duration)
	}
	for _, f := range []struct{ path, value string }{
		{"networking.serviceSubnet", c.Networking.ServiceSubnet},
		{"networking.podSubnet", c.Networking.PodSubnet},
	} {
		warnSiteLocal(w, f.value, f.path)
	}
}

// warnSiteLocal flags IPv6 site-local addresses (fec0::/10), deprecated by RFC 3879.
func warnSiteLocal(w *fieldErrors, subnets, path string) {
	if subnets == "" {
		return
	}
	cidrs, err := netutils.ParseCIDRs(strings.Split(subnets, ","))
	if err != nil {
		return
	}
	_, siteLocal, _ := netutils.ParseCIDRSloppy("fec0::/10")
	for _, cidr := range cidrs {
		if siteLocal.Contains(cidr.IP) || cidr.Contains(siteLocal.IP) {
			w.add(path, "%s contains IPv6 site-local addresses (fec0::/10), deprecated by RFC 3879", cidr)
		}
	}
}
