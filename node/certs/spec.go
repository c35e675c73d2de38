package certs

import (
	"crypto/x509"
	"fmt"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/pkiutil"
)

// Node is what a control-plane node's certificates need besides the
// ClusterConfiguration. `init` and a control-plane `join` fill it from their
// own configuration (InitNode, JoinNode), so both create the same tree.
type Node struct {
	// Name is the node name: a SAN of the serving certificates and the
	// common name of etcd's.
	Name string
	// AdvertiseAddress is the IP this node's API server and etcd advertise.
	AdvertiseAddress string
}

// InitNode is the node `kadm init` runs on.
func InitNode(cfg *config.InitConfiguration) Node {
	return Node{Name: cfg.NodeRegistration.Name, AdvertiseAddress: cfg.LocalAPIEndpoint.AdvertiseAddress}
}

// JoinNode is the node a control-plane `kadm join` adds; a worker join has
// no control-plane certificates, hence the empty address.
func JoinNode(cfg *config.JoinConfiguration) Node {
	n := Node{Name: cfg.NodeRegistration.Name}
	if cfg.ControlPlane != nil {
		n.AdvertiseAddress = cfg.ControlPlane.LocalAPIEndpoint.AdvertiseAddress
	}
	return n
}

// Spec is a Cert with the contents it must have on one node of one cluster.
type Spec struct {
	Cert
	Config pkiutil.CertConfig
}

// NewSpec works out c's subject, SANs, usages, validity and key type for
// node in cluster.
func NewSpec(c Cert, node Node, cluster *config.ClusterConfiguration) (Spec, error) {
	cfg := pkiutil.CertConfig{EncryptionAlgorithm: cluster.EncryptionAlgorithm}
	if c.IsCA() {
		cfg.Validity = duration(cluster.CACertificateValidityPeriod)
	} else {
		cfg.Validity = duration(cluster.CertificateValidityPeriod)
	}
	var err error
	switch c.Name {
	case "ca":
		cfg.CommonName = "kubernetes"
	case "front-proxy-ca", "etcd-ca":
		cfg.CommonName = c.Name
	case "apiserver":
		cfg.CommonName = "kube-apiserver"
		cfg.Usages = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		cfg.AltNames, err = apiServerAltNames(node, cluster)
	case "apiserver-kubelet-client":
		cfg.CommonName = "kube-apiserver-kubelet-client"
		cfg.Usages = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	case "front-proxy-client":
		cfg.CommonName = "front-proxy-client"
		cfg.Usages = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	case "etcd-server", "etcd-peer":
		// etcd checks client auth on its server certificate too, so both
		// usages are needed; the node name identifies the member.
		cfg.CommonName = node.Name
		cfg.Usages = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}
		cfg.AltNames, err = etcdAltNames(c.Name, node, cluster)
	case "etcd-healthcheck-client":
		cfg.CommonName = "kube-etcd-healthcheck-client"
		cfg.Usages = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	case "apiserver-etcd-client":
		cfg.CommonName = "kube-apiserver-etcd-client"
		cfg.Usages = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	default:
		return Spec{}, fmt.Errorf("unknown certificate %q", c.Name)
	}
	if err != nil {
		return Spec{}, fmt.Errorf("the %s certificate: %w", c.Name, err)
	}
	if cfg.CommonName == "" {
		return Spec{}, fmt.Errorf("the %s certificate: the node name is empty: set nodeRegistration.name or --node-name", c.Name)
	}
	return Spec{Cert: c, Config: cfg}, nil
}

// Specs is NewSpec for every certificate of certs, in order.
func Specs(certs []Cert, node Node, cluster *config.ClusterConfiguration) ([]Spec, error) {
	out := make([]Spec, 0, len(certs))
	for _, c := range certs {
		s, err := NewSpec(c, node, cluster)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}
