package app

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/kadm-project/kadm/app/workflow"
	"github.com/kadm-project/kadm/config"
	resetphases "github.com/kadm-project/kadm/phases/reset"
)

// parseReset parses args as `reset` flags and builds the data, running
// nothing.
func parseReset(t *testing.T, args ...string) (*resetData, error) {
	t.Helper()
	opts := newResetOptions()
	cmd := newResetCmd(IOStreams{In: strings.NewReader(""), Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}}, opts)
	if err := cmd.ParseFlags(args); err != nil {
		t.Fatal(err)
	}
	return newResetData(cmd, opts, strings.NewReader(""))
}

func TestResetFlags(t *testing.T) {
	t.Parallel()
	d, err := parseReset(t, "-f", "--dry-run", "--cleanup-tmp-dir", "--cri-socket", "/run/crio/crio.sock",
		"--ignore-preflight-errors", "IsPrivilegedUser", "--cert-dir", "/etc/kubernetes/custom-pki")
	if err != nil {
		t.Fatal(err)
	}
	if !d.Force() || !d.DryRun() || !d.CleanupTmpDir() {
		t.Errorf("force %v, dry run %v, cleanup tmp %v; want all set", d.Force(), d.DryRun(), d.CleanupTmpDir())
	}
	if d.CRISocket() != "unix:///run/crio/crio.sock" {
		t.Errorf("CRI socket %q", d.CRISocket())
	}
	if got := d.IgnorePreflightErrors(); len(got) != 1 || got[0] != "isprivilegeduser" {
		t.Errorf("ignore %v", got)
	}
	if dir, source := d.CertificatesDir(t.Context()); dir != "/etc/kubernetes/custom-pki" || source != "--cert-dir" {
		t.Errorf("certificates dir %q from %q", dir, source)
	}
}

func TestResetCertDirRefused(t *testing.T) {
	t.Parallel()
	for _, dir := range []string{"/etc", "/", "/etc/kubernetes", "/srv/pki", "pki", "/etc/kubernetes/../pki"} {
		t.Run(dir, func(t *testing.T) {
			t.Parallel()
			_, err := parseReset(t, "--cert-dir", dir)
			if err == nil || !isUsage(err) || !strings.Contains(err.Error(), "--cert-dir") {
				t.Fatalf("error %v, want a usage error naming --cert-dir", err)
			}
		})
	}
}

func kubeadmConfig(certDir string) *corev1.ConfigMap {
	return &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: "kubeadm-config", Namespace: "kube-system"},
		Data: map[string]string{"ClusterConfiguration": "apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\n" +
			"certificatesDir: " + certDir + "\netcd:\n  local:\n    dataDir: /var/lib/etcd-custom\n"},
	}
}

func TestResetCluster(t *testing.T) {
	t.Parallel()
	kubeconfig := filepath.Join(t.TempDir(), "admin.conf")
	if err := os.WriteFile(kubeconfig, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		kubeconfig string
		objects    []*corev1.ConfigMap
		certDirSet bool
		wantDir    string
		wantDataOK bool
		wantWarn   bool
	}{
		{"from the cluster", kubeconfig, []*corev1.ConfigMap{kubeadmConfig("/etc/kubernetes/pki2")}, false, "/etc/kubernetes/pki2", true, false},
		{"the flag wins", kubeconfig, []*corev1.ConfigMap{kubeadmConfig("/etc/kubernetes/pki2")}, true, "/etc/kubernetes/flag-pki", true, false},
		{"no ConfigMap", kubeconfig, nil, false, config.DefaultCertificatesDir, false, true},
		{"no kubeconfig", filepath.Join(t.TempDir(), "none.conf"), nil, false, config.DefaultCertificatesDir, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cs := fake.NewClientset()
			for _, cm := range tt.objects {
				if _, err := cs.CoreV1().ConfigMaps("kube-system").Create(t.Context(), cm, metav1.CreateOptions{}); err != nil {
					t.Fatal(err)
				}
			}
			opts := newResetOptions()
			opts.kubeconfig, opts.certDir = tt.kubeconfig, "/etc/kubernetes/flag-pki"
			d := &resetData{
				opts: opts, certDirSet: tt.certDirSet, fetch: fetchClusterConfig,
				clientFrom: func(string) (kubernetes.Interface, error) { return cs, nil },
			}
			var out bytes.Buffer
			ctx := workflow.WithReporter(t.Context(), &workflow.TextReporter{Out: &out})
			if dir, _ := d.CertificatesDir(ctx); dir != tt.wantDir {
				t.Errorf("certificates dir %q, want %q", dir, tt.wantDir)
			}
			c := d.Cluster(ctx)
			if got := c != nil && c.Etcd.Local != nil && c.Etcd.Local.DataDir == "/var/lib/etcd-custom"; got != tt.wantDataOK {
				t.Errorf("cluster %+v", c)
			}
			if warned := strings.Contains(out.String(), "WARNING: Unable to read the cluster's configuration"); warned != tt.wantWarn {
				t.Errorf("warned %v, want %v: %s", warned, tt.wantWarn, out.String())
			}
			if n := strings.Count(out.String(), "WARNING"); n > 1 {
				t.Errorf("warned %d times, want once", n)
			}
		})
	}
}

func TestResetEtcdNeedsKubeconfig(t *testing.T) {
	t.Parallel()
	opts := newResetOptions()
	opts.kubeconfig = filepath.Join(t.TempDir(), "none.conf")
	connected := false
	d := &resetData{opts: opts, connect: func(context.Context, kubernetes.Interface, string) (resetphases.EtcdCluster, error) {
		connected = true
		return nil, errors.New("unexpected")
	}}
	if _, err := d.Etcd(t.Context(), config.DefaultCertificatesDir); err == nil || !strings.Contains(err.Error(), "does not exist") || connected {
		t.Errorf("Etcd = %v (connected %v), want an error about the missing kubeconfig", err, connected)
	}
}
