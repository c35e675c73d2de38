package kubelet

import (
	"crypto/x509"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kadm-project/kadm/kubeconfig"
	"github.com/kadm-project/kadm/pkiutil"
)

// clientKubeconfig writes a kubeconfig whose user's certificate is for commonName, embedded
// or, with file set, in a file beside it as the kubelet keeps it.
func clientKubeconfig(t *testing.T, commonName string, file bool) string {
	t.Helper()
	key, err := pkiutil.NewPrivateKey(pkiutil.ECDSAP256)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := pkiutil.NewSelfSignedCA(pkiutil.CertConfig{CommonName: "kubernetes"}, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := pkiutil.NewSignedCert(pkiutil.CertConfig{CommonName: commonName, Usages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}, key, ca, key)
	if err != nil {
		t.Fatal(err)
	}
	keyPEM, err := pkiutil.EncodePrivateKeyPEM(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cfg := kubeconfig.WithClientCert("https://10.0.0.1:6443", "kubernetes", "u", pkiutil.EncodeCertPEM(ca), pkiutil.EncodeCertPEM(cert), keyPEM)
	if file {
		pem := filepath.Join(dir, "kubelet-client-current.pem")
		if err := os.WriteFile(pem, append(pkiutil.EncodeCertPEM(cert), keyPEM...), 0o600); err != nil {
			t.Fatal(err)
		}
		user := cfg.AuthInfos["u"]
		user.ClientCertificateData, user.ClientKeyData, user.ClientCertificate, user.ClientKey = nil, nil, pem, pem
	}
	path := filepath.Join(dir, "kubelet.conf")
	if err := kubeconfig.Write(path, cfg); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestNodeNameFromKubeconfig(t *testing.T) {
	t.Parallel()
	for _, file := range []bool{false, true} {
		if got, err := NodeNameFromKubeconfig(clientKubeconfig(t, "system:node:worker-1", file)); err != nil || got != "worker-1" {
			t.Errorf("file=%v: %q, %v; want worker-1", file, got, err)
		}
	}
	if _, err := NodeNameFromKubeconfig(clientKubeconfig(t, "kubernetes-admin", false)); err == nil || !strings.Contains(err.Error(), `is "kubernetes-admin", not a node's (system:node:<node name>)`) {
		t.Errorf("an admin's kubeconfig: %v", err)
	}
	if _, err := NodeNameFromKubeconfig(filepath.Join(t.TempDir(), "missing.conf")); err == nil {
		t.Error("a missing kubeconfig gave a name")
	}
}

func TestInstanceCRISocket(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if got, err := InstanceCRISocket(dir); got != "" || err != nil {
		t.Errorf("no file: %q, %v", got, err)
	}
	if err := WriteFile(dir, InstanceConfigFileName, InstanceConfig("unix:///run/crio/crio.sock")); err != nil {
		t.Fatal(err)
	}
	if got, err := InstanceCRISocket(dir); got != "unix:///run/crio/crio.sock" || err != nil {
		t.Errorf("%q, %v", got, err)
	}
}
