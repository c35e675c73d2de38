package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kadm-project/kadm/kubeconfig"
	"github.com/kadm-project/kadm/pkiutil"
)

// TestRenewCommands: `certs renew all` renews, in kubeadm's order and words,
// every certificate there is, reports those that are not, and ends with
// what the operator must restart; a single renewal renews only its file.
func TestRenewCommands(t *testing.T) {
	t.Parallel()
	certDir, kubeconfigDir := testPKI(t)
	absent := filepath.Join(t.TempDir(), "absent.conf")
	before, err := pkiutil.LoadCert(certDir, "front-proxy-client")
	if err != nil {
		t.Fatal(err)
	}
	r := runSub(t, certsCmdOn(kubeconfigDir, nil), "certs", "renew", "apiserver", "--cert-dir", certDir, "--kubeconfig", absent)
	if r.code != 0 || r.out != "certificate for serving the Kubernetes API renewed\n" {
		t.Fatalf("renew apiserver: exit %d, stdout %q, stderr %q", r.code, r.out, r.errOut)
	}
	if after, _ := pkiutil.LoadCert(certDir, "front-proxy-client"); !after.Equal(before) {
		t.Error("renew apiserver renewed front-proxy-client too")
	}

	r = runSub(t, certsCmdOn(kubeconfigDir, nil), "certs", "renew", "all", "--cert-dir", certDir, "--kubeconfig", absent)
	want := strings.Join([]string{
		"certificate embedded in the kubeconfig file for the admin to use and for kubeadm itself renewed",
		"certificate for serving the Kubernetes API renewed",
		"certificate the apiserver uses to access etcd renewed",
		"certificate for the API server to connect to kubelet renewed",
		"MISSING! certificate embedded in the kubeconfig file for the controller manager to use",
		"certificate for liveness probes to healthcheck etcd renewed",
		"certificate for etcd nodes to communicate with each other renewed",
		"certificate for serving etcd renewed",
		"certificate for the front proxy client renewed",
		"MISSING! certificate embedded in the kubeconfig file for the scheduler manager to use",
		"MISSING! certificate embedded in the kubeconfig file for the super-admin",
		"",
		"Done renewing certificates. You must restart the kube-apiserver, kube-controller-manager, kube-scheduler and etcd, so that they can use the new certificates.",
		"",
	}, "\n")
	if r.code != 0 || r.out != want {
		t.Fatalf("renew all: exit %d, stderr %q, stdout:\n%s\nwant:\n%s", r.code, r.errOut, r.out, want)
	}
	if after, _ := pkiutil.LoadCert(certDir, "front-proxy-client"); after.Equal(before) {
		t.Error("renew all left front-proxy-client as it was")
	}
	if _, err := os.Stat(filepath.Join(kubeconfigDir, kubeconfig.SchedulerFile)); err == nil {
		t.Error("renew all made a missing kubeconfig file")
	}

	// The CA's key is elsewhere: kubeadm's message, nothing changed.
	if err := os.Remove(pkiutil.KeyPath(certDir, "front-proxy-ca")); err != nil {
		t.Fatal(err)
	}
	r = runSub(t, certsCmdOn(kubeconfigDir, nil), "certs", "renew", "front-proxy-client", "--cert-dir", certDir, "--kubeconfig", absent)
	if r.code != 0 || r.out != "Detected external front-proxy-ca, certificate for the front proxy client can't be renewed\n" {
		t.Errorf("external CA: exit %d, stdout %q, stderr %q", r.code, r.out, r.errOut)
	}
}

// TestRenewExternalEtcd: with an external etcd, the cluster has no etcd
// certificates to renew, and renew all does not touch them.
func TestRenewExternalEtcd(t *testing.T) {
	t.Parallel()
	certDir, kubeconfigDir := testPKI(t)
	cfg := filepath.Join(t.TempDir(), "cluster.yaml")
	if err := os.WriteFile(cfg, []byte("apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\nkubernetesVersion: v1.37.2\n"+
		"certificatesDir: "+certDir+"\netcd:\n  external:\n    endpoints: [https://10.0.0.9:2379]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := runSub(t, certsCmdOn(kubeconfigDir, nil), "certs", "renew", "etcd-server", "--config", cfg)
	if r.code != 1 || !strings.Contains(r.errOut, "etcd-server is not a certificate of this cluster: its etcd is external") {
		t.Errorf("exit %d, stderr %q", r.code, r.errOut)
	}
	r = runSub(t, certsCmdOn(kubeconfigDir, nil), "certs", "renew", "all", "--config", cfg)
	if r.code != 0 || strings.Contains(r.out, "etcd nodes") || strings.Contains(r.out, "reading configuration from") {
		t.Errorf("renew all with an external etcd: exit %d, stdout %q", r.code, r.out)
	}
}
