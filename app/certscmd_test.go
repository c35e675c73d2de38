package app

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kadm-project/kadm/cluster/kube"
	"github.com/kadm-project/kadm/cluster/kube/kubefake"

	"github.com/spf13/cobra"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/kubeconfig"
	"github.com/kadm-project/kadm/node/certs"
)

func TestCertificateKey(t *testing.T) {
	t.Parallel()
	a := runSub(t, newCertsCmd, "certs", "certificate-key")
	b := runSub(t, newCertsCmd, "certificates", "certificate-key")
	for _, r := range []cliResult{a, b} {
		key := strings.TrimSuffix(r.out, "\n")
		if r.code != 0 || !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(key) || config.ValidateCertificateKey(key) != nil {
			t.Errorf("exit %d, stdout %q: want 64 lower-case hex characters", r.code, r.out)
		}
	}
	if a.out == b.out {
		t.Error("two certificate keys are equal")
	}
}

// testPKI creates the whole certificate tree of a stacked-etcd cluster in a
// new directory and admin.conf in another, and returns both.
func testPKI(t *testing.T) (certDir, kubeconfigDir string) {
	t.Helper()
	certDir, kubeconfigDir = t.TempDir(), t.TempDir()
	cluster := &config.ClusterConfiguration{CertificatesDir: certDir, EncryptionAlgorithm: config.EncryptionAlgorithmECDSAP256}
	config.SetClusterDefaults(cluster)
	specs, err := certs.Specs(certs.ForCluster(cluster), certs.Node{Name: "cp-1", AdvertiseAddress: "10.0.0.5"}, cluster)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range specs {
		if _, err := certs.Create(context.Background(), certs.At(certDir), s, nil); err != nil {
			t.Fatal(err)
		}
	}
	ca, err := kubeconfig.LoadCA(certDir, false)
	if err != nil {
		t.Fatal(err)
	}
	f := kubeconfig.ClientFile{Name: kubeconfig.AdminFile, ClusterName: "kubernetes", Server: "https://10.0.0.5:6443",
		User: kubeconfig.AdminUser, Validity: 30 * 24 * time.Hour, Algorithm: config.EncryptionAlgorithmECDSAP256}
	cfg, err := f.Build(context.Background(), ca, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := kubeconfig.Write(filepath.Join(kubeconfigDir, kubeconfig.AdminFile), cfg); err != nil {
		t.Fatal(err)
	}
	return certDir, kubeconfigDir
}

// certsCmdOn builds `certs` reading kubeconfig files from kubeconfigDir and
// reaching the cluster through client (nil: the cluster cannot be reached).
func certsCmdOn(kubeconfigDir string, client kube.Interface) func(IOStreams) *cobra.Command {
	return func(s IOStreams) *cobra.Command {
		return newCertsCmdWith(s, certsEnv{kubeconfigDir: kubeconfigDir, client: func(string) (kube.Interface, error) {
			if client == nil {
				return nil, errors.New("connection refused")
			}
			return client, nil
		}})
	}
}

func TestCheckExpirationText(t *testing.T) {
	t.Parallel()
	certDir, kubeconfigDir := testPKI(t)
	r := runSub(t, certsCmdOn(kubeconfigDir, nil), "certs", "check-expiration", "--cert-dir", certDir,
		"--kubeconfig", filepath.Join(t.TempDir(), "absent.conf"))
	if r.code != 0 {
		t.Fatalf("exit %d, stderr %q", r.code, r.errOut)
	}
	for _, re := range []string{
		`(?m)\ACERTIFICATE\s+EXPIRES\s+RESIDUAL TIME\s+CERTIFICATE AUTHORITY\s+EXTERNALLY MANAGED\n`,
		`(?m)^admin\.conf\s+\w{3} \d\d, \d{4} \d\d:\d\d UTC\s+29d\s+ca\s+no\s*$`,
		`(?m)^apiserver\s+\w{3} \d\d, \d{4} \d\d:\d\d UTC\s+364d\s+ca\s+no\s*$`,
		`(?m)^etcd-peer\s+.*\s+etcd-ca\s+no\s*$`,
		`(?m)^front-proxy-client\s+.*\s+front-proxy-ca\s+no\s*$`,
		`(?m)^!MISSING! super-admin\.conf\s*$`,
		`(?m)^!MISSING! scheduler\.conf\s*$`,
		`(?m)^\nCERTIFICATE AUTHORITY\s+EXPIRES\s+RESIDUAL TIME\s+EXTERNALLY MANAGED$`,
		`(?m)^ca\s+\w{3} \d\d, \d{4} \d\d:\d\d UTC\s+9y\s+no\s*$`,
	} {
		if !regexp.MustCompile(re).MatchString(r.out) {
			t.Errorf("no match for %s in:\n%s", re, r.out)
		}
	}
	if strings.Contains(r.out, "[check-expiration]") {
		t.Errorf("without a kubeconfig the cluster is not asked, but the output says so:\n%s", r.out)
	}
}

// Expired certificates show kubeadm's "<invalid>" residual time.
func TestExpirationTablesLayout(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	r := certs.ExpirationReport{
		Certificates: []certs.Expiration{
			{Name: "admin.conf", CAName: "ca", NotAfter: now.Add(-time.Hour)},
			{Name: "apiserver", CAName: "ca", NotAfter: now.Add(100 * 24 * time.Hour), ExternallyManaged: true},
			{Name: "super-admin.conf", Missing: true},
		},
		CAs: []certs.Expiration{{Name: "ca", NotAfter: now.Add(3 * 365 * 24 * time.Hour)}, {Name: "etcd-ca", Missing: true}},
	}
	var b strings.Builder
	if err := printExpirationTables(&b, r, now); err != nil {
		t.Fatal(err)
	}
	want := "CERTIFICATE                  EXPIRES                  RESIDUAL TIME   CERTIFICATE AUTHORITY   EXTERNALLY MANAGED\n" +
		"admin.conf                   Mar 01, 2026 11:00 UTC   <invalid>       ca                      no      \n" +
		"apiserver                    Jun 09, 2026 12:00 UTC   100d            ca                      yes     \n" +
		"!MISSING! super-admin.conf                                                                    \n" +
		"\n" +
		"CERTIFICATE AUTHORITY   EXPIRES                  RESIDUAL TIME   EXTERNALLY MANAGED\n" +
		"ca                      Feb 28, 2029 12:00 UTC   3y              no      \n" +
		"!MISSING! etcd-ca                                                \n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

func TestCheckExpirationJSON(t *testing.T) {
	t.Parallel()
	certDir, kubeconfigDir := testPKI(t)
	cfgPath := filepath.Join(t.TempDir(), "cluster.yaml")
	file := "apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\ncertificatesDir: " + certDir + "\n"
	if err := os.WriteFile(cfgPath, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	r := runSub(t, certsCmdOn(kubeconfigDir, nil), "certs", "check-expiration", "--config", cfgPath, "-o", "json")
	if r.code != 0 {
		t.Fatalf("exit %d, stderr %q", r.code, r.errOut)
	}
	var info struct {
		Kind, APIVersion       string
		Certificates           []map[string]any
		CertificateAuthorities []map[string]any
	}
	if err := json.Unmarshal([]byte(r.out), &info); err != nil {
		t.Fatalf("%v in:\n%s", err, r.out)
	}
	if info.Kind != "CertificateExpirationInfo" || info.APIVersion != "output.kubeadm.k8s.io/v1alpha3" ||
		len(info.Certificates) != 11 || len(info.CertificateAuthorities) != 3 {
		t.Fatalf("got %s", r.out)
	}
	byName := map[string]map[string]any{}
	for _, c := range info.Certificates {
		byName[c["name"].(string)] = c
	}
	if c := byName["apiserver"]; c["missing"] != false || c["caName"] != "ca" || c["residualTime"].(float64) < 364*24*3600 {
		t.Errorf("apiserver: %v", c)
	}
	if c := byName["scheduler.conf"]; c["missing"] != true || c["expirationDate"] != nil {
		t.Errorf("scheduler.conf: %v", c)
	}
}

func TestCheckExpirationFromCluster(t *testing.T) {
	t.Parallel()
	certDir, kubeconfigDir := testPKI(t)
	adminConf := filepath.Join(kubeconfigDir, kubeconfig.AdminFile)
	cm := &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: "kubeadm-config", Namespace: metav1.NamespaceSystem},
		Data: map[string]string{"ClusterConfiguration": "apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\n" +
			"certificatesDir: " + certDir + "\netcd:\n  external:\n    endpoints: [https://10.0.0.9:2379]\n    caFile: /e/ca.crt\n    certFile: /e/c.crt\n    keyFile: /e/c.key\n"},
	}
	r := runSub(t, certsCmdOn(kubeconfigDir, kubefake.Wrap(fake.NewClientset(cm))), "certs", "check-expiration", "--kubeconfig", adminConf)
	if r.code != 0 {
		t.Fatalf("exit %d, stderr %q", r.code, r.errOut)
	}
	if !strings.HasPrefix(r.out, "[check-expiration] Reading configuration from the \"kubeadm-config\" ConfigMap in namespace \"kube-system\"...\n") {
		t.Errorf("the output does not say where the configuration comes from:\n%s", r.out)
	}
	if strings.Contains(r.out, "etcd") || strings.Contains(r.out, "MISSING! apiserver") {
		t.Errorf("with the cluster's external etcd and certificatesDir, got:\n%s", r.out)
	}

	// the cluster does not answer: the defaults, with --cert-dir
	r = runSub(t, certsCmdOn(kubeconfigDir, nil), "certs", "check-expiration", "--kubeconfig", adminConf, "--cert-dir", certDir)
	if r.code != 0 || !strings.Contains(r.out, "Falling back to default configuration") || !regexp.MustCompile(`(?m)^etcd-server\s`).MatchString(r.out) {
		t.Errorf("exit %d, stderr %q, stdout:\n%s", r.code, r.errOut, r.out)
	}
}

func TestCheckExpirationErrors(t *testing.T) {
	t.Parallel()
	certDir := t.TempDir()
	if err := os.WriteFile(filepath.Join(certDir, "apiserver.crt"), []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	absent := filepath.Join(t.TempDir(), "absent.conf")
	r := runSub(t, certsCmdOn(t.TempDir(), nil), "certs", "check-expiration", "--cert-dir", certDir, "--kubeconfig", absent)
	if r.code != ExitFailure || !strings.Contains(r.errOut, filepath.Join(certDir, "apiserver.crt")) {
		t.Errorf("corrupt certificate: exit %d, stderr %q", r.code, r.errOut)
	}
	r = runSub(t, certsCmdOn(t.TempDir(), nil), "certs", "check-expiration", "-o", "wide", "--kubeconfig", absent)
	if r.code != ExitUsage || !strings.Contains(r.errOut, `--output "wide"`) {
		t.Errorf("-o wide: exit %d, stderr %q", r.code, r.errOut)
	}
}
