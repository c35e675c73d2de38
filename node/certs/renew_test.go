package certs

import (
	"crypto/rsa"
	"crypto/tls"
	"maps"
	"net"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/kubeconfig"
	"github.com/kadm-project/kadm/pkiutil"
)

func TestRenewals(t *testing.T) {
	t.Parallel()
	names := func(rs []Renewal) []string {
		var out []string
		for _, r := range rs {
			out = append(out, r.Name)
		}
		return out
	}
	stacked := testCluster(config.EncryptionAlgorithmECDSAP256)
	want := []string{"admin.conf", "apiserver", "apiserver-etcd-client", "apiserver-kubelet-client", "controller-manager.conf",
		"etcd-healthcheck-client", "etcd-peer", "etcd-server", "front-proxy-client", "scheduler.conf", "super-admin.conf"}
	if got := names(Renewals(stacked)); !slices.Equal(got, want) {
		t.Errorf("stacked etcd: %v, want kubeadm's %v", got, want)
	}
	external := testCluster(config.EncryptionAlgorithmECDSAP256)
	external.Etcd = config.Etcd{External: &config.ExternalEtcd{Endpoints: []string{"https://10.0.0.9:2379"}}}
	want = []string{"admin.conf", "apiserver", "apiserver-kubelet-client", "controller-manager.conf", "front-proxy-client", "scheduler.conf", "super-admin.conf"}
	if got := names(Renewals(external)); !slices.Equal(got, want) {
		t.Errorf("external etcd: %v, want %v", got, want)
	}
}

// TestRenew renews every certificate of a tree made a while ago with other
// validity periods: each gets a new key and a certificate signed by its CA,
// with the subject, SANs and usages it had and the cluster's validity from
// now; the kubeconfig files keep their server and user.
func TestRenew(t *testing.T) {
	t.Parallel()
	dir, kubeconfigDir := t.TempDir(), t.TempDir()
	old := testCluster(config.EncryptionAlgorithmECDSAP256)
	old.CertificatesDir = dir
	mustCreateAll(t, dir, testSpecs(t, old), old.EncryptionAlgorithm)
	writeKubeconfigs(t, dir, kubeconfigDir, 50*time.Hour, kubeconfig.AdminFile, kubeconfig.SuperAdminFile, kubeconfig.ControllerManagerFile, kubeconfig.SchedulerFile)

	cluster := testCluster(config.EncryptionAlgorithmRSA2048)
	cluster.CertificatesDir = dir
	cluster.CertificateValidityPeriod = &metav1.Duration{Duration: 200 * time.Hour}
	for _, r := range Renewals(cluster) {
		before, err := r.read(dir, kubeconfigDir)
		if err != nil {
			t.Fatal(err)
		}
		isKubeconfig := filepath.Ext(r.Name) == ".conf"
		res, err := Renew(t.Context(), cluster, kubeconfigDir, r, nil)
		if err != nil || res != Renewed {
			t.Fatalf("Renew(%s) = %v, %v", r.Name, res, err)
		}
		after, err := r.read(dir, kubeconfigDir)
		if err != nil {
			t.Fatal(err)
		}
		ca, err := pkiutil.LoadCert(dir, r.CA.BaseName)
		if err != nil {
			t.Fatal(err)
		}
		if err := after.CheckSignatureFrom(ca); err != nil {
			t.Errorf("%s: not signed by %s: %v", r.Name, r.CA.Name, err)
		}
		if after.SerialNumber.Cmp(before.SerialNumber) == 0 || pkiutil.PublicKeysEqual(after.PublicKey, before.PublicKey) {
			t.Errorf("%s: the same certificate or key after renewal", r.Name)
		}
		if after.Subject.CommonName != before.Subject.CommonName || !slices.Equal(after.Subject.Organization, before.Subject.Organization) ||
			!slices.Equal(after.DNSNames, before.DNSNames) || !slices.EqualFunc(after.IPAddresses, before.IPAddresses, net.IP.Equal) ||
			!slices.Equal(after.ExtKeyUsage, before.ExtKeyUsage) {
			t.Errorf("%s: subject, SANs or usages changed: %v %v %v %v, was %v %v %v %v", r.Name,
				after.Subject, after.DNSNames, after.IPAddresses, after.ExtKeyUsage, before.Subject, before.DNSNames, before.IPAddresses, before.ExtKeyUsage)
		}
		if got := after.NotAfter.Sub(after.NotBefore); got != 200*time.Hour+5*time.Minute {
			t.Errorf("%s: valid for %v, want the cluster's 200h (and the clock-skew allowance)", r.Name, got)
		}
		if _, ok := after.PublicKey.(*rsa.PublicKey); !ok {
			t.Errorf("%s: a %T key, want the cluster's RSA", r.Name, after.PublicKey)
		}
		if isKubeconfig {
			checkRenewedKubeconfig(t, r, dir, kubeconfigDir)
		} else {
			key, err := pkiutil.LoadKey(dir, r.cert.BaseName)
			if err != nil || !pkiutil.PublicKeysEqual(key.Public(), after.PublicKey) {
				t.Errorf("%s: the key on disk is not the new certificate's (%v)", r.Name, err)
			}
		}
	}
	checkModes(t, dir)
}

// checkRenewedKubeconfig: the file keeps its server and context, trusts the
// CA on disk and holds a client certificate with its key.
func checkRenewedKubeconfig(t *testing.T, r Renewal, dir, kubeconfigDir string) {
	t.Helper()
	path := r.Path(dir, kubeconfigDir)
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("%s: %v, %v; want mode 0600", path, info, err)
	}
	cfg, err := kubeconfig.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	cluster, user, err := kubeconfig.Current(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if cluster.Server != "https://10.0.0.5:6443" || cfg.CurrentContext != "user-"+r.Name+"@kubernetes" {
		t.Errorf("%s: server %s, context %s changed", r.Name, cluster.Server, cfg.CurrentContext)
	}
	ca, err := os.ReadFile(pkiutil.CertPath(dir, "ca"))
	if err != nil || string(cluster.CertificateAuthorityData) != string(ca) {
		t.Errorf("%s: does not trust the CA on disk (%v)", r.Name, err)
	}
	if _, err := tls.X509KeyPair(user.ClientCertificateData, user.ClientKeyData); err != nil {
		t.Errorf("%s: the embedded certificate and key are no pair: %v", r.Name, err)
	}
}

// TestRenewMissingAndExternal: a certificate that is not there is reported,
// not made; one whose CA has no key here (an external CA) is left as it is.
func TestRenewMissingAndExternal(t *testing.T) {
	t.Parallel()
	dir, kubeconfigDir := t.TempDir(), t.TempDir()
	cluster := testCluster(config.EncryptionAlgorithmECDSAP256)
	cluster.CertificatesDir = dir
	mustCreateAll(t, dir, testSpecs(t, cluster), cluster.EncryptionAlgorithm)
	apiserver := renewalNamed(t, cluster, "apiserver")
	admin := renewalNamed(t, cluster, kubeconfig.AdminFile)
	if res, err := Renew(t.Context(), cluster, kubeconfigDir, admin, nil); err != nil || res != RenewMissing {
		t.Errorf("admin.conf absent: %v, %v; want RenewMissing", res, err)
	}
	if err := os.Remove(filepath.Join(dir, "ca.key")); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, dir)
	if res, err := Renew(t.Context(), cluster, kubeconfigDir, apiserver, nil); err != nil || res != RenewExternalCA {
		t.Errorf("external CA: %v, %v; want RenewExternalCA", res, err)
	}
	if after := snapshot(t, dir); !maps.Equal(before, after) {
		t.Error("renewing with an external CA changed files")
	}
	if res, err := Renew(t.Context(), cluster, kubeconfigDir, renewalNamed(t, cluster, "etcd-server"), nil); err != nil || res != Renewed {
		t.Errorf("etcd-server, whose etcd CA is local: %v, %v; want Renewed", res, err)
	}
}

func renewalNamed(t *testing.T, cluster *config.ClusterConfiguration, name string) Renewal {
	t.Helper()
	for _, r := range Renewals(cluster) {
		if r.Name == name {
			return r
		}
	}
	t.Fatalf("no renewal %q", name)
	return Renewal{}
}
