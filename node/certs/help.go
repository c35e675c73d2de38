package certs

import (
	"net"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/pkiutil"
)

// DefaultSANs lists the SANs c gets with a default configuration and an
// advertise address of 127.0.0.1, for the phase help, as kubeadm shows them
// (before duplicates are dropped). Nil for certificates without SANs.
func DefaultSANs(c Cert) []string {
	node := Node{AdvertiseAddress: "127.0.0.1"}
	cluster := config.DefaultClusterConfiguration()
	var alt pkiutil.AltNames
	var err error
	switch c.Name {
	case "apiserver":
		alt, err = apiServerAltNames(node, cluster)
	case "etcd-server", "etcd-peer":
		alt, err = etcdAltNames(c.Name, node, cluster)
	default:
		return nil
	}
	if err != nil {
		return nil
	}
	return append(alt.DNSNames, ipStrings(alt.IPs)...)
}

func ipStrings(ips []net.IP) []string {
	out := make([]string, len(ips))
	for i, ip := range ips {
		out[i] = ip.String()
	}
	return out
}
