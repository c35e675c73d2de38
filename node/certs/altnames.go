package certs

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	netutils "k8s.io/utils/net"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/pkiutil"
)

// apiServerAltNames are the names clients reach the API server by: the node,
// the in-cluster Service (by name and by its IP), the advertise address,
// the controlPlaneEndpoint and the user's certSANs.
func apiServerAltNames(node Node, cluster *config.ClusterConfiguration) (pkiutil.AltNames, error) {
	adv, err := advertiseIP(node)
	if err != nil {
		return pkiutil.AltNames{}, err
	}
	svc, err := firstServiceIP(cluster.Networking.ServiceSubnet)
	if err != nil {
		return pkiutil.AltNames{}, err
	}
	var alt pkiutil.AltNames
	if node.Name != "" {
		alt.DNSNames = append(alt.DNSNames, strings.ToLower(node.Name))
	}
	alt.DNSNames = append(alt.DNSNames, "kubernetes", "kubernetes.default", "kubernetes.default.svc")
	if d := cluster.Networking.DNSDomain; d != "" {
		alt.DNSNames = append(alt.DNSNames, "kubernetes.default.svc."+strings.ToLower(d))
	}
	alt.IPs = []net.IP{svc, adv}
	if cpe := cluster.ControlPlaneEndpoint; cpe != "" {
		host, err := endpointHost(cpe)
		if err != nil {
			return pkiutil.AltNames{}, err
		}
		if err := addSAN(&alt, host); err != nil {
			return pkiutil.AltNames{}, fmt.Errorf("controlPlaneEndpoint %q: %w", cpe, err)
		}
	}
	if err := addSANs(&alt, cluster.APIServer.CertSANs, "apiServer.certSANs"); err != nil {
		return pkiutil.AltNames{}, err
	}
	return alt, nil
}

// etcdAltNames: etcd listens on localhost and the advertise address, and
// peers find each other by node name; the config may add more names.
func etcdAltNames(name string, node Node, cluster *config.ClusterConfiguration) (pkiutil.AltNames, error) {
	adv, err := advertiseIP(node)
	if err != nil {
		return pkiutil.AltNames{}, err
	}
	var alt pkiutil.AltNames
	if node.Name != "" {
		alt.DNSNames = append(alt.DNSNames, strings.ToLower(node.Name))
	}
	alt.DNSNames = append(alt.DNSNames, "localhost")
	alt.IPs = []net.IP{adv, net.IPv4(127, 0, 0, 1), net.IPv6loopback}
	if local := cluster.Etcd.Local; local != nil {
		if name == "etcd-server" {
			err = addSANs(&alt, local.ServerCertSANs, "etcd.local.serverCertSANs")
		} else {
			err = addSANs(&alt, local.PeerCertSANs, "etcd.local.peerCertSANs")
		}
	}
	return alt, err
}

func advertiseIP(node Node) (net.IP, error) {
	ip := netutils.ParseIPSloppy(node.AdvertiseAddress)
	if ip == nil {
		return nil, fmt.Errorf("advertise address %q is not an IP address: set localAPIEndpoint.advertiseAddress or --apiserver-advertise-address", node.AdvertiseAddress)
	}
	return ip, nil
}

// firstServiceIP is the ClusterIP of the "kubernetes" Service: the first
// address of the first (primary) service subnet.
func firstServiceIP(subnets string) (net.IP, error) {
	first, _, _ := strings.Cut(subnets, ",")
	_, cidr, err := netutils.ParseCIDRSloppy(strings.TrimSpace(first))
	if err != nil {
		return nil, fmt.Errorf("networking.serviceSubnet %q: %w", subnets, err)
	}
	ip, err := netutils.GetIndexedIP(cidr, 1)
	if err != nil {
		return nil, fmt.Errorf("networking.serviceSubnet %q: %w", subnets, err)
	}
	return ip, nil
}

// endpointHost is the host part of a controlPlaneEndpoint, which may name a
// port or not.
func endpointHost(endpoint string) (string, error) {
	host, port, err := net.SplitHostPort(endpoint)
	if err != nil {
		return endpoint, nil
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return "", fmt.Errorf("controlPlaneEndpoint %q: port %q is not a number between 1 and 65535", endpoint, port)
	}
	return host, nil
}

func addSANs(alt *pkiutil.AltNames, sans []string, field string) error {
	for i, san := range sans {
		if err := addSAN(alt, san); err != nil {
			return fmt.Errorf("%s[%d]: %w", field, i, err)
		}
	}
	return nil
}

// addSAN files s under IPs or DNS names. DNS names are compared without
// regard to case, so they are kept in lower case, the form the validation
// rules accept.
func addSAN(alt *pkiutil.AltNames, s string) error {
	if ip := netutils.ParseIPSloppy(s); ip != nil {
		alt.IPs = append(alt.IPs, ip)
		return nil
	}
	name := strings.ToLower(s)
	if len(validation.IsDNS1123Subdomain(name)) > 0 && len(validation.IsWildcardDNS1123Subdomain(name)) > 0 {
		return fmt.Errorf("%q is neither an IP address nor a DNS name", s)
	}
	alt.DNSNames = append(alt.DNSNames, name)
	return nil
}

func duration(d *metav1.Duration) time.Duration {
	if d == nil {
		return 0
	}
	return d.Duration
}
