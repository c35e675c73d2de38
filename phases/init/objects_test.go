package initphases

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/phases/workflow"
)

type objectsRecorder struct {
	mu    sync.Mutex
	lines []string
}

func (r *objectsRecorder) Report(e workflow.Event) {
	if e.Type != "message" {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lines = append(r.lines, strings.Split(strings.TrimSuffix(e.Message, "\n"), "\n")...)
}

// newObjectsData is the shared test data for node cp1 at 10.0.0.1 with a
// known bootstrap token and a cluster CA on disk.
func newObjectsData(t *testing.T) *testData {
	t.Helper()
	d := newTestData(t)
	d.cfg.NodeRegistration.Name = "cp1"
	d.cfg.LocalAPIEndpoint.AdvertiseAddress = "10.0.0.1"
	tok, err := config.NewBootstrapTokenString("abcdef.0123456789abcdef")
	if err != nil {
		t.Fatal(err)
	}
	d.cfg.BootstrapTokens[0].Token = tok
	d.cfg.Timeouts.KubernetesAPICall = &metav1.Duration{Duration: 5 * time.Second}
	if err := os.MkdirAll(d.certDir, 0o700); err != nil {
		t.Fatal(err)
	}
	writeObjectsCA(t, d.certDir)
	return d
}

// writeObjectsCA puts a CA certificate and key into dir as the certs phase would.
func writeObjectsCA(t *testing.T, dir string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "kubernetes"},
		NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "ca.crt"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "ca.key"), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
}

func runObjectsPhase(t *testing.T, phase func(context.Context, Data) error, d Data) ([]string, error) {
	t.Helper()
	r := &objectsRecorder{}
	err := phase(workflow.WithReporter(t.Context(), r), d)
	return r.lines, err
}

func TestBootstrapTokenPhase(t *testing.T) {
	t.Parallel()
	d := newObjectsData(t)
	want := []string{
		"[bootstrap-token] Using token: abcdef.0123456789abcdef",
		"[bootstrap-token] Configuring bootstrap tokens, cluster-info ConfigMap, RBAC Roles",
		"[bootstrap-token] Configured RBAC rules to allow Node Bootstrap tokens to get nodes",
		"[bootstrap-token] Configured RBAC rules to allow Node Bootstrap tokens to post CSRs in order for nodes to get long term certificate credentials",
		"[bootstrap-token] Configured RBAC rules to allow the csrapprover controller automatically approve CSRs from a Node Bootstrap Token",
		"[bootstrap-token] Configured RBAC rules to allow certificate rotation for all node client certificates in the cluster",
		"[bootstrap-token] Configured RBAC rules to allow the API server kubelet client certificate to access the kubelet API",
		`[bootstrap-token] Creating the "cluster-info" ConfigMap in the "kube-public" namespace`,
	}
	for range 2 {
		lines, err := runObjectsPhase(t, runBootstrapToken, d)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, lines); diff != "" {
			t.Errorf("progress (-want +got):\n%s", diff)
		}
	}
	ctx := t.Context()
	if _, err := d.client.CoreV1().Secrets("kube-system").Get(ctx, "bootstrap-token-abcdef", metav1.GetOptions{}); err != nil {
		t.Error(err)
	}
	cm, err := d.client.CoreV1().ConfigMaps("kube-public").Get(ctx, "cluster-info", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(cm.Data["kubeconfig"], "server: https://10.0.0.1:6443") {
		t.Errorf("cluster-info kubeconfig:\n%s", cm.Data["kubeconfig"])
	}
	for _, name := range []string{"kubeadm:get-nodes", "kubeadm:kubelet-bootstrap", "kubeadm:node-autoapprove-bootstrap",
		"kubeadm:node-autoapprove-certificate-rotation", "kubeadm:apiserver-kubelet-client"} {
		if _, err := d.client.RbacV1().ClusterRoleBindings().Get(ctx, name, metav1.GetOptions{}); err != nil {
			t.Error(err)
		}
	}
}

func TestBootstrapTokenPhaseSkipTokenPrint(t *testing.T) {
	t.Parallel()
	d := newObjectsData(t)
	d.skipTokenPrint = true
	lines, err := runObjectsPhase(t, runBootstrapToken, d)
	if err != nil {
		t.Fatal(err)
	}
	if out := strings.Join(lines, "\n"); strings.Contains(out, "0123456789abcdef") || strings.Contains(out, "Using token") {
		t.Errorf("token printed despite --skip-token-print:\n%s", out)
	}
}

func TestDryRunCreatesNothing(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		phase func(context.Context, Data) error
		want  []string
	}{
		{"bootstrap-token", runBootstrapToken, []string{
			`[dryrun] Would create or update Secret "kube-system/bootstrap-token-abcdef"`,
			`[dryrun] Would create or update ClusterRoleBinding "kubeadm:get-nodes"`,
			`[dryrun] Would create or update ConfigMap "kube-public/cluster-info"`,
			`[dryrun] Would create or update RoleBinding "kube-public/kubeadm:bootstrap-signer-clusterinfo"`,
		}},
		{"upload-config kubeadm", runUploadKubeadmConfig, []string{
			`[dryrun] Would create or update ConfigMap "kube-system/kubeadm-config"`,
			`[dryrun] Would create or update RoleBinding "kube-system/kubeadm:nodes-kubeadm-config"`,
		}},
		{"upload-certs", runUploadCerts, []string{
			`[dryrun] Would create or update Secret "kube-system/kubeadm-certs"`,
			`[dryrun] Would create or update RoleBinding "kube-system/kubeadm:kubeadm-certs"`,
		}},
		{"upload-config kubelet", runUploadKubeletConfig, []string{
			`[dryrun] Would create or update ConfigMap "kube-system/kubelet-config"`,
			`[dryrun] Would create or update RoleBinding "kube-system/kubeadm:kubelet-config"`,
		}},
		{"mark-control-plane", runMarkControlPlane, []string{`[dryrun] Would patch Node "cp1"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := newObjectsData(t)
			d.dryRun, d.uploadCerts = true, true
			lines, err := runObjectsPhase(t, tt.phase, d)
			if err != nil {
				t.Fatal(err)
			}
			out := strings.Join(lines, "\n")
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("dry-run output lacks %q:\n%s", w, out)
				}
			}
			if n := len(d.client.Actions()); n != 0 {
				t.Errorf("dry run made %d API calls", n)
			}
		})
	}
}

func TestUploadConfigPhase(t *testing.T) {
	t.Parallel()
	d := newObjectsData(t)
	lines, err := runObjectsPhase(t, runUploadKubeadmConfig, d)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{`[upload-config] Storing the configuration used in ConfigMap "kubeadm-config" in the "kube-system" Namespace`}; !cmp.Equal(want, lines) {
		t.Errorf("progress = %q", lines)
	}
	if _, err := d.client.CoreV1().ConfigMaps("kube-system").Get(t.Context(), "kubeadm-config", metav1.GetOptions{}); err != nil {
		t.Error(err)
	}
}

func TestUploadKubeletConfigPhase(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		edit       func(*testData)
		wantHash   bool
		wantInYAML string
	}{
		{"kadm's defaults are signed for upgrades", func(*testData) {}, true, "kind: KubeletConfiguration"},
		{"the user's document is kept unsigned", func(d *testData) {
			d.kubeletDoc = []byte("apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nmaxPods: 42\n")
		}, false, "maxPods: 42"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := newObjectsData(t)
			tt.edit(d)
			lines, err := runObjectsPhase(t, runUploadKubeletConfig, d)
			if err != nil {
				t.Fatal(err)
			}
			if want := []string{`[kubelet] Creating a ConfigMap "kubelet-config" in namespace kube-system with the configuration for the kubelets in the cluster`}; !cmp.Equal(want, lines) {
				t.Errorf("progress = %q", lines)
			}
			cm, err := d.client.CoreV1().ConfigMaps("kube-system").Get(t.Context(), "kubelet-config", metav1.GetOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := cm.Annotations["kubeadm.kubernetes.io/component-config.hash"]; ok != tt.wantHash {
				t.Errorf("hash annotation present = %v, want %v", ok, tt.wantHash)
			}
			if !strings.Contains(cm.Data["kubelet"], tt.wantInYAML) {
				t.Errorf("kubelet-config lacks %q:\n%s", tt.wantInYAML, cm.Data["kubelet"])
			}
			if _, err := d.client.RbacV1().RoleBindings("kube-system").Get(t.Context(), "kubeadm:kubelet-config", metav1.GetOptions{}); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestUploadCertsPhase(t *testing.T) {
	t.Parallel()
	const key = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
	tests := []struct {
		name               string
		upload, skipPrint  bool
		key                string
		want               []string
		wantSecret, newKey bool
	}{
		{name: "without --upload-certs", want: []string{"[upload-certs] Skipping phase. Please see --upload-certs"}},
		{name: "given key is used and printed", upload: true, key: key, wantSecret: true, want: []string{
			`[upload-certs] Storing the certificates in Secret "kubeadm-certs" in the "kube-system" Namespace`,
			"[upload-certs] Using certificate key:", key}},
		{name: "generated key is kept for the join command", upload: true, wantSecret: true, newKey: true},
		{name: "--skip-certificate-key-print", upload: true, skipPrint: true, key: key, wantSecret: true, want: []string{
			`[upload-certs] Storing the certificates in Secret "kubeadm-certs" in the "kube-system" Namespace`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := newObjectsData(t)
			d.uploadCerts, d.skipCertKeyPrint, d.cfg.CertificateKey = tt.upload, tt.skipPrint, tt.key
			lines, err := runObjectsPhase(t, runUploadCerts, d)
			if err != nil {
				t.Fatal(err)
			}
			if tt.newKey {
				if err := config.ValidateCertificateKey(d.cfg.CertificateKey); err != nil {
					t.Fatalf("generated key: %v", err)
				}
				tt.want = []string{`[upload-certs] Storing the certificates in Secret "kubeadm-certs" in the "kube-system" Namespace`,
					"[upload-certs] Using certificate key:", d.cfg.CertificateKey}
			}
			if diff := cmp.Diff(tt.want, lines); diff != "" {
				t.Errorf("progress (-want +got):\n%s", diff)
			}
			_, err = d.client.CoreV1().Secrets("kube-system").Get(t.Context(), "kubeadm-certs", metav1.GetOptions{})
			if (err == nil) != tt.wantSecret {
				t.Errorf("kubeadm-certs: %v, want present %v", err, tt.wantSecret)
			}
		})
	}
}

func TestMarkControlPlanePhase(t *testing.T) {
	t.Parallel()
	d := newObjectsData(t)
	if _, err := d.client.CoreV1().Nodes().Create(t.Context(), &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "cp1"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	lines, err := runObjectsPhase(t, runMarkControlPlane, d)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"[mark-control-plane] Marking the node cp1 as control-plane by adding the labels: [node-role.kubernetes.io/control-plane node.kubernetes.io/exclude-from-external-load-balancers]",
		"[mark-control-plane] Marking the node cp1 as control-plane by adding the taints [node-role.kubernetes.io/control-plane:NoSchedule]",
	}
	if diff := cmp.Diff(want, lines); diff != "" {
		t.Errorf("progress (-want +got):\n%s", diff)
	}
	n, err := d.client.CoreV1().Nodes().Get(t.Context(), "cp1", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := n.Labels["node-role.kubernetes.io/control-plane"]; !ok || v != "" || len(n.Spec.Taints) != 1 {
		t.Errorf("node = %+v", n)
	}
}
