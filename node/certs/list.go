package certs

import (
	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/pkiutil"
)

// Cert is one certificate of kubeadm's tree, apart from any configuration.
type Cert struct {
	// Name is the phase name users type: "etcd-server".
	Name string
	// LongName completes "Generate the ..." in the phase's help.
	LongName string
	// BaseName is the file name without extension, relative to the
	// certificate directory: "etcd/server" for etcd/server.crt and .key.
	BaseName string
	// CAName is the Name of the CA that signs this certificate; empty for a CA.
	CAName string
}

// IsCA tells a self-signed CA from a leaf.
func (c Cert) IsCA() bool { return c.CAName == "" }

// Etcd tells whether the certificate belongs to the stacked etcd, whose
// part of the tree is left out when the cluster uses an external etcd.
func (c Cert) Etcd() bool { return c.Name == "etcd-ca" || c.CAName == "etcd-ca" }

// CA is the Cert that signs c; false for a CA.
func (c Cert) CA() (Cert, bool) {
	if c.IsCA() {
		return Cert{}, false
	}
	return Lookup(c.CAName)
}

// Files are c's certificate and key, relative to the certificate directory.
func (c Cert) Files() []string { return []string{c.BaseName + ".crt", c.BaseName + ".key"} }

// The service account key pair has no certificate: its public half is
// written beside it for the API server to verify tokens with.
const (
	ServiceAccountBaseName = "sa"
	ServiceAccountKeyFile  = ServiceAccountBaseName + ".key"
	ServiceAccountPubFile  = ServiceAccountBaseName + ".pub"
)

// All is kubeadm v1.37's certificate tree in the order init creates it:
// every CA comes before the leaves it signs.
func All() []Cert {
	return []Cert{
		{Name: "ca", LongName: "self-signed Kubernetes CA to provision identities for other Kubernetes components", BaseName: "ca"},
		{Name: "apiserver", LongName: "certificate for serving the Kubernetes API", BaseName: "apiserver", CAName: "ca"},
		{Name: "apiserver-kubelet-client", LongName: "certificate for the API server to connect to kubelet", BaseName: "apiserver-kubelet-client", CAName: "ca"},
		{Name: "front-proxy-ca", LongName: "self-signed CA to provision identities for front proxy", BaseName: "front-proxy-ca"},
		{Name: "front-proxy-client", LongName: "certificate for the front proxy client", BaseName: "front-proxy-client", CAName: "front-proxy-ca"},
		{Name: "etcd-ca", LongName: "self-signed CA to provision identities for etcd", BaseName: "etcd/ca"},
		{Name: "etcd-server", LongName: "certificate for serving etcd", BaseName: "etcd/server", CAName: "etcd-ca"},
		{Name: "etcd-peer", LongName: "certificate for etcd nodes to communicate with each other", BaseName: "etcd/peer", CAName: "etcd-ca"},
		{Name: "etcd-healthcheck-client", LongName: "certificate for liveness probes to healthcheck etcd", BaseName: "etcd/healthcheck-client", CAName: "etcd-ca"},
		{Name: "apiserver-etcd-client", LongName: "certificate the apiserver uses to access etcd", BaseName: "apiserver-etcd-client", CAName: "etcd-ca"},
	}
}

// ForCluster is the part of All the cluster needs: without the etcd
// certificates when etcd is external, as kubeadm's "all" does.
func ForCluster(cluster *config.ClusterConfiguration) []Cert {
	var out []Cert
	for _, c := range All() {
		if c.Etcd() && cluster.Etcd.External != nil {
			continue
		}
		out = append(out, c)
	}
	return out
}

// Lookup finds a certificate of All by Name.
func Lookup(name string) (Cert, bool) {
	for _, c := range All() {
		if c.Name == name {
			return c, true
		}
	}
	return Cert{}, false
}

// leaves are the certificates that ca signs.
func leaves(ca Cert) []Cert {
	var out []Cert
	for _, c := range All() {
		if c.CAName == ca.Name {
			out = append(out, c)
		}
	}
	return out
}

// certFile and keyFile are c's paths under dir.
func certFile(dir string, c Cert) string { return pkiutil.CertPath(dir, c.BaseName) }
func keyFile(dir string, c Cert) string  { return pkiutil.KeyPath(dir, c.BaseName) }
