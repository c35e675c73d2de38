package copycerts

import (
	"os"
	"path/filepath"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/pkiutil"
)

// Content is what a transferred file must hold; it also fixes the file's mode.
type Content int

const (
	Certificate Content = iota
	PrivateKey
	PublicKey
)

// Mode is kubeadm's: certificates 0644, keys (the public service-account
// key too, as the certs phase writes it) 0600.
func (c Content) Mode() os.FileMode {
	if c == Certificate {
		return pkiutil.CertMode
	}
	return pkiutil.KeyMode
}

// File is one shared file and its entry in the kubeadm-certs Secret.
type File struct {
	// Entry is the Secret data key: the path under the certificates
	// directory with "/" replaced by "-" (etcd/ca.crt is etcd-ca.crt).
	Entry   string
	Path    string
	Content Content
	// Pair is the Entry holding the other half of a key pair, if any.
	Pair string
}

// Files lists what a control-plane node needs from the first one: the
// cluster, front-proxy and (stacked) etcd CAs with their keys and the
// service-account key pair, or, with an external etcd, the client
// certificate files the configuration names. Paths are under certDir or
// the external etcd paths; an external path may be empty (etcd without TLS).
func Files(certDir string, external *config.ExternalEtcd) []File {
	in := func(name string) string { return filepath.Join(certDir, name) }
	files := []File{
		{Entry: "ca.crt", Path: in("ca.crt"), Content: Certificate, Pair: "ca.key"},
		{Entry: "ca.key", Path: in("ca.key"), Content: PrivateKey},
		{Entry: "front-proxy-ca.crt", Path: in("front-proxy-ca.crt"), Content: Certificate, Pair: "front-proxy-ca.key"},
		{Entry: "front-proxy-ca.key", Path: in("front-proxy-ca.key"), Content: PrivateKey},
		{Entry: "sa.pub", Path: in("sa.pub"), Content: PublicKey, Pair: "sa.key"},
		{Entry: "sa.key", Path: in("sa.key"), Content: PrivateKey},
	}
	if external == nil {
		return append(files,
			File{Entry: "etcd-ca.crt", Path: in(filepath.Join("etcd", "ca.crt")), Content: Certificate, Pair: "etcd-ca.key"},
			File{Entry: "etcd-ca.key", Path: in(filepath.Join("etcd", "ca.key")), Content: PrivateKey},
		)
	}
	return append(files,
		File{Entry: "external-etcd-ca.crt", Path: external.CAFile, Content: Certificate},
		File{Entry: "external-etcd.crt", Path: external.CertFile, Content: Certificate, Pair: "external-etcd.key"},
		File{Entry: "external-etcd.key", Path: external.KeyFile, Content: PrivateKey},
	)
}
