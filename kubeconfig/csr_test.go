package kubeconfig

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"k8s.io/client-go/util/keyutil"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/pkiutil"
)

// TestClientFileWriteCSR: the partial kubeconfig has the server, the user
// and its new key, but no certificate and no CA; the request beside it is
// for that key, with the user and groups as subject.
func TestClientFileWriteCSR(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	f := ClientFile{Name: AdminFile, ClusterName: "kubernetes", Server: "https://10.0.0.5:6443", User: AdminUser, Groups: []string{ClusterAdminsGroup},
		Algorithm: config.EncryptionAlgorithmECDSAP256}
	if err := f.WriteCSR(t.Context(), dir, nil); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(filepath.Join(dir, AdminFile))
	if err != nil {
		t.Fatal(err)
	}
	cluster, user, err := Current(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if cluster.Server != f.Server || len(cluster.CertificateAuthorityData) > 0 || len(user.ClientCertificateData) > 0 || cfg.CurrentContext != AdminUser+"@kubernetes" {
		t.Errorf("kubeconfig: server %s, CA %d bytes, certificate %d bytes, context %s", cluster.Server, len(cluster.CertificateAuthorityData), len(user.ClientCertificateData), cfg.CurrentContext)
	}
	key, err := keyutil.ParsePrivateKeyPEM(user.ClientKeyData)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(pkiutil.CSRPath(dir, AdminFile))
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(data)
	csr, err := x509.ParseCertificateRequest(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if csr.Subject.CommonName != AdminUser || !slices.Equal(csr.Subject.Organization, f.Groups) || !pkiutil.PublicKeysEqual(csr.PublicKey, key.(crypto.Signer).Public()) {
		t.Errorf("request for %v, want %s in %v for the kubeconfig's key", csr.Subject, AdminUser, f.Groups)
	}
	if err := f.WriteCSR(t.Context(), dir, nil); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("a second WriteCSR: %v, want it refused", err)
	}
}
