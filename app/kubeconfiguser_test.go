package app

import (
	"crypto"
	"crypto/x509"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"k8s.io/client-go/tools/clientcmd"
	certutil "k8s.io/client-go/util/cert"
	"k8s.io/client-go/util/keyutil"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/pkiutil"
)

// testCADir writes a new cluster CA (ca.crt, and ca.key unless external)
// into a new directory, and a config file that uses that directory.
func testCADir(t *testing.T, external bool) (cfgPath string, ca *x509.Certificate) {
	t.Helper()
	dir := t.TempDir()
	key, err := pkiutil.NewPrivateKey(config.EncryptionAlgorithmECDSAP256)
	if err != nil {
		t.Fatal(err)
	}
	ca, err = pkiutil.NewSelfSignedCA(pkiutil.CertConfig{CommonName: "kubernetes"}, key)
	if err != nil {
		t.Fatal(err)
	}
	if err := pkiutil.WriteCert(dir, "ca", ca); err != nil {
		t.Fatal(err)
	}
	if !external {
		if err := pkiutil.WriteKey(dir, "ca", key); err != nil {
			t.Fatal(err)
		}
	}
	cfgPath = filepath.Join(t.TempDir(), "cluster.yaml")
	file := "apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\nclusterName: prod\n" +
		"controlPlaneEndpoint: lb.example.com:7443\nencryptionAlgorithm: ECDSA-P256\ncertificatesDir: " + dir + "\n"
	if err := os.WriteFile(cfgPath, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	return cfgPath, ca
}

func TestKubeconfigUserClientCert(t *testing.T) {
	t.Parallel()
	cfgPath, ca := testCADir(t, false)
	start := time.Now()
	r := runSub(t, newKubeconfigCmd, "kubeconfig", "user", "--client-name", "alice", "--org", "dev", "--org", "ops",
		"--validity-period", "48h", "--config", cfgPath)
	if r.code != 0 {
		t.Fatalf("exit %d, stderr %q", r.code, r.errOut)
	}
	cfg, err := clientcmd.Load([]byte(r.out))
	if err != nil {
		t.Fatalf("the output is not a kubeconfig: %v\n%s", err, r.out)
	}
	if cfg.CurrentContext != "alice@prod" {
		t.Errorf("current context %q, want alice@prod", cfg.CurrentContext)
	}
	cluster := cfg.Clusters["prod"]
	if cluster == nil || cluster.Server != "https://lb.example.com:7443" || string(cluster.CertificateAuthorityData) != string(pkiutil.EncodeCertPEM(ca)) {
		t.Fatalf("cluster: %+v", cluster)
	}
	user := cfg.AuthInfos["alice"]
	if user == nil || user.Token != "" {
		t.Fatalf("user: %+v", user)
	}
	certs, err := certutil.ParseCertsPEM(user.ClientCertificateData)
	if err != nil {
		t.Fatal(err)
	}
	cert := certs[0]
	roots := x509.NewCertPool()
	roots.AddCert(ca)
	if _, err := cert.Verify(x509.VerifyOptions{Roots: roots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
		t.Errorf("the client certificate does not chain to the CA for client auth: %v", err)
	}
	if cert.Subject.CommonName != "alice" || !slices.Equal(cert.Subject.Organization, []string{"dev", "ops"}) {
		t.Errorf("subject %v, want CN=alice O=dev,ops", cert.Subject)
	}
	if lo, hi := start.Add(48*time.Hour).Add(-time.Minute), time.Now().Add(48*time.Hour).Add(time.Minute); cert.NotAfter.Before(lo) || cert.NotAfter.After(hi) {
		t.Errorf("NotAfter %v, want 48h from now", cert.NotAfter)
	}
	key, err := keyutil.ParsePrivateKeyPEM(user.ClientKeyData)
	if err != nil {
		t.Fatal(err)
	}
	if signer, ok := key.(crypto.Signer); !ok || !pkiutil.PublicKeysEqual(signer.Public(), cert.PublicKey) {
		t.Error("the embedded key does not match the certificate")
	}
}

func TestKubeconfigUserToken(t *testing.T) {
	t.Parallel()
	cfgPath, _ := testCADir(t, true)
	r := runSub(t, newKubeconfigCmd, "kubeconfig", "user", "--client-name", "ci", "--token", "abcdef.0123456789abcdef", "--config", cfgPath)
	if r.code != 0 {
		t.Fatalf("exit %d, stderr %q", r.code, r.errOut)
	}
	cfg, err := clientcmd.Load([]byte(r.out))
	if err != nil {
		t.Fatal(err)
	}
	user := cfg.AuthInfos["ci"]
	if user == nil || user.Token != "abcdef.0123456789abcdef" || len(user.ClientCertificateData) != 0 {
		t.Errorf("user: %+v, want the token and no certificate", user)
	}
}

func TestKubeconfigUserErrors(t *testing.T) {
	t.Parallel()
	external, _ := testCADir(t, true)
	local, _ := testCADir(t, false)
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no client name", []string{"--config", local}, ExitUsage, `required flag(s) "client-name" not set`},
		{"external CA needs a token", []string{"--client-name", "bob", "--config", external}, ExitFailure, "has no key beside it (an external CA?)"},
		{"zero validity", []string{"--client-name", "bob", "--config", local, "--validity-period", "0s"}, ExitUsage, "--validity-period"},
		{"missing config", []string{"--client-name", "bob", "--config", filepath.Join(t.TempDir(), "none.yaml")}, ExitUsage, "none.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := runSub(t, newKubeconfigCmd, append([]string{"kubeconfig", "user"}, tt.args...)...)
			if r.code != tt.code || !strings.Contains(r.errOut, tt.want) || r.out != "" {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit %d and %q", r.code, r.out, r.errOut, tt.code, tt.want)
			}
		})
	}
}

func TestKubeconfigUserLongValidityWarns(t *testing.T) {
	t.Parallel()
	cfgPath, _ := testCADir(t, false)
	r := runSub(t, newKubeconfigCmd, "kubeconfig", "user", "--client-name", "alice", "--validity-period", "17520h", "--config", cfgPath)
	if r.code != 0 || !strings.Contains(r.errOut, "WARNING: the specified certificate validity period 17520h0m0s is longer than the default duration 8760h0m0s") {
		t.Errorf("exit %d, stderr %q", r.code, r.errOut)
	}
}
