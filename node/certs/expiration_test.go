package certs

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/kubeconfig"
)

// writeKubeconfigs writes the four kubeconfig files check-expiration reads,
// their client certificates signed by the CA in certDir, valid for validity.
func writeKubeconfigs(t *testing.T, certDir, kubeconfigDir string, validity time.Duration, names ...string) {
	t.Helper()
	ca, err := kubeconfig.LoadCA(certDir, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		f := kubeconfig.ClientFile{Name: name, ClusterName: "kubernetes", Server: "https://10.0.0.5:6443",
			User: "user-" + name, Validity: validity, Algorithm: config.EncryptionAlgorithmECDSAP256}
		cfg, err := f.Build(context.Background(), ca, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := kubeconfig.Write(filepath.Join(kubeconfigDir, name), cfg); err != nil {
			t.Fatal(err)
		}
	}
}

func byName(t *testing.T, list []Expiration, name string) Expiration {
	t.Helper()
	for _, e := range list {
		if e.Name == name {
			return e
		}
	}
	t.Fatalf("no entry %q in %v", name, list)
	return Expiration{}
}

func TestCheckExpiration(t *testing.T) {
	t.Parallel()
	cluster := testCluster(config.EncryptionAlgorithmECDSAP256)
	cluster.CertificatesDir = filepath.Join(t.TempDir(), "pki")
	kubeconfigDir := t.TempDir()
	mustCreateAll(t, cluster.CertificatesDir, testSpecs(t, cluster), config.EncryptionAlgorithmECDSAP256)
	writeKubeconfigs(t, cluster.CertificatesDir, kubeconfigDir, 50*time.Hour, kubeconfig.AdminFile, kubeconfig.ControllerManagerFile, kubeconfig.SchedulerFile)
	if err := os.Remove(filepath.Join(cluster.CertificatesDir, "front-proxy-client.crt")); err != nil {
		t.Fatal(err)
	}
	now := time.Now()

	r, err := CheckExpiration(cluster, kubeconfigDir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range r.Certificates {
		names = append(names, e.Name)
	}
	want := "admin.conf apiserver apiserver-etcd-client apiserver-kubelet-client controller-manager.conf etcd-healthcheck-client etcd-peer etcd-server front-proxy-client scheduler.conf super-admin.conf"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("certificates:\n got %s\nwant %s", got, want)
	}
	var cas []string
	for _, e := range r.CAs {
		cas = append(cas, e.Name)
	}
	if got := strings.Join(cas, " "); got != "ca etcd-ca front-proxy-ca" {
		t.Errorf("CAs: got %s", got)
	}

	tests := []struct {
		name     string
		entry    Expiration
		caName   string
		residual time.Duration
		missing  bool
	}{
		{"leaf", byName(t, r.Certificates, "apiserver"), "ca", 100 * time.Hour, false},
		{"etcd leaf", byName(t, r.Certificates, "etcd-peer"), "etcd-ca", 100 * time.Hour, false},
		{"kubeconfig", byName(t, r.Certificates, "admin.conf"), "ca", 50 * time.Hour, false},
		{"CA", byName(t, r.CAs, "front-proxy-ca"), "", 1000 * time.Hour, false},
		{"missing leaf", byName(t, r.Certificates, "front-proxy-client"), "", 0, true},
		{"missing kubeconfig", byName(t, r.Certificates, "super-admin.conf"), "", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := tt.entry
			if e.Missing != tt.missing || e.CAName != tt.caName || e.ExternallyManaged {
				t.Errorf("%s: got %+v, want missing=%v caName=%q, not externally managed", e.Name, e, tt.missing, tt.caName)
			}
			if tt.missing {
				if !e.NotAfter.IsZero() {
					t.Errorf("%s: a missing file has an expiry %v", e.Name, e.NotAfter)
				}
				return
			}
			if d := e.Residual(now) - tt.residual; d < -time.Minute || d > time.Minute {
				t.Errorf("%s: residual %v, want about %v", e.Name, e.Residual(now), tt.residual)
			}
		})
	}
}

func TestCheckExpirationExternalCA(t *testing.T) {
	t.Parallel()
	cluster := testCluster(config.EncryptionAlgorithmECDSAP256)
	cluster.CertificatesDir = t.TempDir()
	kubeconfigDir := t.TempDir()
	mustCreateAll(t, cluster.CertificatesDir, testSpecs(t, cluster), config.EncryptionAlgorithmECDSAP256)
	writeKubeconfigs(t, cluster.CertificatesDir, kubeconfigDir, time.Hour, kubeconfig.AdminFile)
	if err := os.Remove(filepath.Join(cluster.CertificatesDir, "ca.key")); err != nil {
		t.Fatal(err)
	}
	r, err := CheckExpiration(cluster, kubeconfigDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"apiserver", "apiserver-kubelet-client", "admin.conf"} {
		if !byName(t, r.Certificates, name).ExternallyManaged {
			t.Errorf("%s is signed by the external CA but not reported externally managed", name)
		}
	}
	if !byName(t, r.CAs, "ca").ExternallyManaged {
		t.Error("the CA without its key is not reported externally managed")
	}
	for _, name := range []string{"front-proxy-client", "etcd-server"} {
		if byName(t, r.Certificates, name).ExternallyManaged {
			t.Errorf("%s is signed by a local CA but reported externally managed", name)
		}
	}
}

func TestCheckExpirationExternalEtcd(t *testing.T) {
	t.Parallel()
	cluster := testCluster(config.EncryptionAlgorithmECDSAP256)
	cluster.CertificatesDir = t.TempDir()
	cluster.Etcd = config.Etcd{External: &config.ExternalEtcd{Endpoints: []string{"https://10.0.0.9:2379"}}}
	r, err := CheckExpiration(cluster, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, list := range [][]Expiration{r.Certificates, r.CAs} {
		for _, e := range list {
			if strings.HasPrefix(e.Name, "etcd-") || e.Name == "apiserver-etcd-client" {
				t.Errorf("external etcd: %s is listed", e.Name)
			}
			if !e.Missing {
				t.Errorf("empty directory: %s is not missing", e.Name)
			}
		}
	}
	if len(r.CAs) != 2 {
		t.Errorf("CAs: got %v, want ca and front-proxy-ca", r.CAs)
	}
}

func TestCheckExpirationUnreadable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, file, content string
	}{
		{"corrupt certificate", "apiserver.crt", "not PEM"},
		{"kubeconfig without a client certificate", "admin.conf", "apiVersion: v1\nkind: Config\ncurrent-context: c\ncontexts:\n- name: c\n  context: {cluster: k, user: u}\nclusters:\n- name: k\n  cluster: {server: https://x:6443}\nusers:\n- name: u\n  user: {token: abc}\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cluster := testCluster(config.EncryptionAlgorithmECDSAP256)
			dir := t.TempDir()
			cluster.CertificatesDir = dir
			if err := os.WriteFile(filepath.Join(dir, tt.file), []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := CheckExpiration(cluster, dir)
			if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, tt.file)) {
				t.Errorf("got %v, want an error naming %s", err, tt.file)
			}
		})
	}
}
