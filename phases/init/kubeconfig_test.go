package initphases

import (
	"bytes"
	"context"
	"crypto/x509"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/kubeconfig"
	"github.com/kadm-project/kadm/phases/workflow"
	"github.com/kadm-project/kadm/pkiutil"
)

// newKubeconfigTestData is the shared test data, with a cluster CA in the
// certificate directory when withCA is set.
func newKubeconfigTestData(t *testing.T, withCA bool) *testData {
	t.Helper()
	d := newTestData(t)
	if withCA {
		key, err := pkiutil.NewPrivateKey(config.EncryptionAlgorithmECDSAP256)
		if err != nil {
			t.Fatal(err)
		}
		ca, err := pkiutil.NewSelfSignedCA(pkiutil.CertConfig{CommonName: "kubernetes"}, key)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(d.certDir, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := pkiutil.WriteCert(d.certDir, "ca", ca); err != nil {
			t.Fatal(err)
		}
		if err := pkiutil.WriteKey(d.certDir, "ca", key); err != nil {
			t.Fatal(err)
		}
	}
	return d
}

// runKubeconfigPhases runs the kubeconfig phase and its children in order,
// as the init workflow does, and returns what they printed.
func runKubeconfigPhases(d Data) (string, error) {
	var out bytes.Buffer
	ctx := workflow.WithReporter(context.Background(), &workflow.TextReporter{Out: &out})
	p := kubeconfigPhase()
	if err := p.Run(ctx, d); err != nil {
		return out.String(), err
	}
	for _, child := range p.Phases {
		if err := child.Run(ctx, d); err != nil {
			return out.String(), fmt.Errorf("%s: %w", child.Name, err)
		}
	}
	return out.String(), nil
}

var kubeconfigFileNames = []string{"admin.conf", "super-admin.conf", "kubelet.conf", "controller-manager.conf", "scheduler.conf"}

func TestKubeconfigPhaseWritesThenKeeps(t *testing.T) {
	t.Parallel()
	d := newKubeconfigTestData(t, true)
	got, err := runKubeconfigPhases(d)
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("[kubeconfig] Using kubeconfig folder %q\n", d.kubeConfigDir)
	for _, name := range kubeconfigFileNames {
		want += fmt.Sprintf("[kubeconfig] Writing %q kubeconfig file\n", name)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("first run output (-want +got):\n%s", diff)
	}
	ca, err := pkiutil.LoadCert(d.certDir, "ca")
	if err != nil {
		t.Fatal(err)
	}
	servers := map[string]string{"admin.conf": "https://10.0.0.5:6443", "kubelet.conf": "https://10.0.0.5:6443", "scheduler.conf": "https://10.0.0.5:6443"}
	before := map[string][]byte{}
	for _, name := range kubeconfigFileNames {
		path := filepath.Join(d.kubeConfigDir, name)
		if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("%s: %v, mode %v; want a 0600 file", name, err, fi)
		}
		cfg, err := kubeconfig.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := kubeconfig.Validate(cfg, kubeconfig.Want{Server: cfg.Clusters["kubernetes"].Server, CAs: []*x509.Certificate{ca}}); err != nil {
			t.Errorf("%s is not valid for the cluster CA: %v", name, err)
		}
		if s, ok := servers[name]; ok && cfg.Clusters["kubernetes"].Server != s {
			t.Errorf("%s points at %s, want %s", name, cfg.Clusters["kubernetes"].Server, s)
		}
		before[name], _ = os.ReadFile(path)
	}

	got, err = runKubeconfigPhases(d)
	if err != nil {
		t.Fatal(err)
	}
	want = fmt.Sprintf("[kubeconfig] Using kubeconfig folder %q\n", d.kubeConfigDir)
	for _, name := range kubeconfigFileNames {
		want += fmt.Sprintf("[kubeconfig] Using existing kubeconfig file: %q\n", filepath.Join(d.kubeConfigDir, name))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("second run output (-want +got):\n%s", diff)
	}
	for _, name := range kubeconfigFileNames {
		if after, _ := os.ReadFile(filepath.Join(d.kubeConfigDir, name)); !bytes.Equal(before[name], after) {
			t.Errorf("the second run rewrote %s", name)
		}
	}
}

func TestKubeconfigPhaseExternalCA(t *testing.T) {
	t.Parallel()
	d := newKubeconfigTestData(t, true)
	if _, err := runKubeconfigPhases(d); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(d.certDir, "ca.key")); err != nil {
		t.Fatal(err)
	}
	d.externalCA = true
	got, err := runKubeconfigPhases(d)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got, "[kubeconfig] External CA mode: Using user provided scheduler.conf\n") {
		t.Errorf("output does not report the user's scheduler.conf:\n%s", got)
	}
	if err := os.Remove(filepath.Join(d.kubeConfigDir, "kubelet.conf")); err != nil {
		t.Fatal(err)
	}
	_, err = runKubeconfigPhases(d)
	if err == nil || !strings.Contains(err.Error(), filepath.Join(d.kubeConfigDir, "kubelet.conf")) {
		t.Errorf("external CA with kubelet.conf missing: %v, want an error naming it", err)
	}
}

func TestKubeconfigPhaseWithoutCA(t *testing.T) {
	t.Parallel()
	d := newKubeconfigTestData(t, false)
	_, err := runKubeconfigPhases(d)
	if err == nil || !strings.Contains(err.Error(), "kadm init phase certs ca") {
		t.Errorf("run without a CA: %v, want an error pointing at `kadm init phase certs ca`", err)
	}
}

// A file pointing elsewhere is kept with a warning, as kubeadm keeps it:
// users aim kubeconfigs at load balancers on purpose.
func TestKubeconfigPhaseWarnsOnOtherServer(t *testing.T) {
	t.Parallel()
	d := newKubeconfigTestData(t, true)
	if _, err := runKubeconfigPhases(d); err != nil {
		t.Fatal(err)
	}
	d.cluster.ControlPlaneEndpoint = "lb.example.com"
	got, err := runKubeconfigPhases(d)
	if err != nil {
		t.Fatal(err)
	}
	admin := filepath.Join(d.kubeConfigDir, "admin.conf")
	warning := fmt.Sprintf("[kubeconfig] WARNING: the existing kubeconfig file %q points at API server https://10.0.0.5:6443 instead of https://lb.example.com:6443; it is kept, remove it to have kadm write one for https://lb.example.com:6443\n", admin)
	if !strings.Contains(got, warning+fmt.Sprintf("[kubeconfig] Using existing kubeconfig file: %q\n", admin)) {
		t.Errorf("output lacks the warning for admin.conf followed by its reuse:\n%s", got)
	}
	if n := strings.Count(got, "WARNING"); n != 2 {
		t.Errorf("%d warnings, want 2 (admin.conf and super-admin.conf; the others use the local API server):\n%s", n, got)
	}
}

// TestKubeconfigPhaseDryRun: with the host's CA, a dry run checks the
// host's files where they are and reports the missing ones, which a real
// run would sign with that CA, without writing them: a kubeconfig signed
// by the host's CA is a real credential (super-admin.conf's cannot be
// revoked).
func TestKubeconfigPhaseDryRun(t *testing.T) {
	t.Parallel()
	host := newKubeconfigTestData(t, true)
	adminPhase := kubeconfigPhase().Phases[0]
	if err := adminPhase.Run(context.Background(), host); err != nil {
		t.Fatal(err)
	}
	d := newTestData(t)
	d.dryRun = true
	d.cluster.CertificatesDir = host.certDir
	d.hostKubeConfigDir = host.kubeConfigDir
	got, err := runKubeconfigPhases(d)
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("[kubeconfig] Using kubeconfig folder %q\n", d.kubeConfigDir)
	want += fmt.Sprintf("[kubeconfig] Using existing kubeconfig file: %q\n", filepath.Join(host.kubeConfigDir, "admin.conf"))
	for _, name := range kubeconfigFileNames[1:] {
		want += fmt.Sprintf("[dryrun] Would write %q kubeconfig file, signed by the existing ca certificate authority\n", name)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("dry-run output (-want +got):\n%s", diff)
	}
	for _, name := range kubeconfigFileNames {
		if _, err := os.Stat(filepath.Join(d.kubeConfigDir, name)); !os.IsNotExist(err) {
			t.Errorf("the dry run wrote %s (%v)", name, err)
		}
		if name != "admin.conf" {
			if _, err := os.Stat(filepath.Join(host.kubeConfigDir, name)); !os.IsNotExist(err) {
				t.Errorf("the dry run wrote the host's %s (%v)", name, err)
			}
		}
	}
}
