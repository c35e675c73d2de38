package joinphases

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	certificatesv1 "k8s.io/api/certificates/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/kubeconfig"
)

func TestKubeletStart(t *testing.T) {
	t.Parallel()
	const (
		ca        = "pki/ca.crt"
		conf      = "kubelet/config.yaml"
		flagsEnv  = "kubelet/kubeadm-flags.env"
		instance  = "kubelet/instance-config.yaml"
		boot      = "etc/bootstrap-kubelet.conf"
		kubeletCf = "etc/kubelet.conf"
	)
	readyNode := &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: testNode},
		Status:     corev1.NodeStatus{Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue}}},
	}
	started := []string{"stop kubelet", "restart kubelet"}

	tests := []struct {
		name string
		// setup prepares the cluster and the host; kubelet is what the
		// kubelet does when it is restarted.
		setup     func(t *testing.T, d *fakeData)
		kubelet   func(t *testing.T, d *fakeData)
		wantErr   string
		wantOut   []string
		wantFiles map[string]os.FileMode
		wantCalls []string
	}{
		{
			name: "writes the kubelet's files and restarts it",
			setup: func(_ *testing.T, d *fakeData) {
				d.cfg.NodeRegistration.Taints = []corev1.Taint{{Key: "dedicated", Value: "db", Effect: corev1.TaintEffectNoSchedule}}
			},
			kubelet: func(t *testing.T, d *fakeData) {
				boot := filepath.Join(d.kubeconfigDir, "bootstrap-kubelet.conf")
				if cfg, err := kubeconfig.Load(boot); err != nil || cfg.Clusters["prod"] == nil || cfg.AuthInfos["tls-bootstrap-token-user"].Token != testToken {
					t.Errorf("bootstrap-kubelet.conf does not name cluster %q with the token: %v", "prod", err)
				}
			},
			wantOut: []string{
				`[kubelet-start] Writing kubelet environment file with flags to file`,
				`[kubelet-start] Starting the kubelet`,
			},
			wantFiles: map[string]os.FileMode{ca: 0o644, conf: 0o644, flagsEnv: 0o644, instance: 0o644, boot: 0o600},
			wantCalls: started,
		},
		{
			name: "a Ready node of the same name is refused before anything is written",
			setup: func(t *testing.T, d *fakeData) {
				if _, err := d.client.CoreV1().Nodes().Create(context.Background(), readyNode, metav1.CreateOptions{}); err != nil {
					t.Fatal(err)
				}
			},
			wantErr:   `a Node named "worker-1" with status "Ready" already exists in the cluster: the node name is taken`,
			wantFiles: map[string]os.FileMode{},
		},
		{
			name: "custom kubelet credentials: no bootstrap kubeconfig",
			setup: func(t *testing.T, d *fakeData) {
				writeKubeletConf(t, d)
				// The node is this one: its own credentials prove it.
				if _, err := d.client.CoreV1().Nodes().Create(context.Background(), readyNode, metav1.CreateOptions{}); err != nil {
					t.Fatal(err)
				}
			},
			wantOut:   []string{`[kubelet-start] Using the credentials of node "worker-1" in`, "skipping the TLS bootstrap"},
			wantFiles: map[string]os.FileMode{ca: 0o644, conf: 0o644, flagsEnv: 0o644, instance: 0o644, kubeletCf: 0o600},
			wantCalls: started,
		},
		{
			name: "another CA at caCertPath is in the way",
			setup: func(t *testing.T, d *fakeData) {
				writeFile(t, d.cfg.CACertPath, "other CA")
			},
			wantErr:   "holds another CA certificate than the cluster's",
			wantFiles: map[string]os.FileMode{ca: 0o600},
		},
		{
			name: "a failed write takes back the token and the CA",
			setup: func(t *testing.T, d *fakeData) {
				// The kubelet's directory cannot be made: its files are
				// written after the bootstrap kubeconfig and the CA.
				writeFile(t, d.kubeletDir, "not a directory")
			},
			wantErr:   "not a directory",
			wantFiles: map[string]os.FileMode{"kubelet": 0o600},
			wantCalls: []string{"stop kubelet"},
		},
		{
			name:  "dry run writes only the files without secrets, into its own directory",
			setup: func(_ *testing.T, d *fakeData) { d.cfg.DryRun = true },
			wantOut: []string{
				"[kubelet-start] Would stop the kubelet",
				"(the bootstrap kubeconfig; it holds the token, so it is not shown)",
				"kubeadm-flags.env\" with content:\n\tKUBELET_KUBEADM_ARGS=",
				"[kubelet-start] Would start the kubelet",
			},
			wantFiles: map[string]os.FileMode{"dryrun/" + ca: 0o644, "dryrun/" + conf: 0o644,
				"dryrun/" + instance: 0o644, "dryrun/" + flagsEnv: 0o644},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// No kubelet answers: kubelet-start must not wait for one.
			d := newFakeData(t, "127.0.0.1:1")
			if tt.setup != nil {
				tt.setup(t, d)
			}
			sys := &fakeInit{}
			if tt.kubelet != nil {
				sys.onRestart = func() { tt.kubelet(t, d) }
			}
			out, err := output(func(ctx context.Context) error { return runKubeletStart(ctx, d, testHost(sys)) })
			if tt.wantErr == "" && err != nil {
				t.Fatalf("runKubeletStart: %v\noutput:\n%s", err, out)
			}
			if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
			}
			for _, w := range tt.wantOut {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			if strings.Contains(out, "Waiting for") {
				t.Errorf("kubelet-start waited:\n%s", out)
			}
			if strings.Contains(out, "0123456789abcdef") {
				t.Errorf("the token secret appears in the output:\n%s", out)
			}
			if got := files(t, d.dir); !maps.Equal(got, tt.wantFiles) {
				t.Errorf("files = %v, want %v", got, tt.wantFiles)
			}
			if got := sys.Calls(); !slices.Equal(got, tt.wantCalls) {
				t.Errorf("init system calls = %v, want %v", got, tt.wantCalls)
			}
		})
	}
}

func TestKubeletWaitBootstrap(t *testing.T) {
	t.Parallel()
	const (
		ca        = "pki/ca.crt"
		conf      = "kubelet/config.yaml"
		flagsEnv  = "kubelet/kubeadm-flags.env"
		instance  = "kubelet/instance-config.yaml"
		boot      = "etc/bootstrap-kubelet.conf"
		kubeletCf = "etc/kubelet.conf"
	)
	approved := certificatesv1.CertificateSigningRequestCondition{Type: certificatesv1.CertificateApproved, Status: corev1.ConditionTrue}
	denied := certificatesv1.CertificateSigningRequestCondition{Type: certificatesv1.CertificateDenied, Status: corev1.ConditionTrue, Reason: "Policy", Message: "unknown machine"}
	allFiles := map[string]os.FileMode{ca: 0o644, conf: 0o644, flagsEnv: 0o644, instance: 0o644, kubeletCf: 0o600}
	failedFiles := map[string]os.FileMode{conf: 0o644, flagsEnv: 0o644, instance: 0o644}

	tests := []struct {
		name string
		// setup prepares the cluster and the host before kubelet-start;
		// kubelet is what the kubelet does when kubelet-start restarts it.
		setup     func(t *testing.T, d *fakeData)
		kubelet   func(t *testing.T, d *fakeData)
		wantErr   string
		wantOut   []string
		wantFiles map[string]os.FileMode
	}{
		{
			name: "auto-approved bootstrap",
			kubelet: func(t *testing.T, d *fakeData) {
				createCSR(t, d, kubeletCSR(t, "csr-1", []certificatesv1.CertificateSigningRequestCondition{approved}, []byte("cert")))
				writeKubeletConf(t, d)
			},
			wantOut: []string{
				`[kubelet-check] The kubelet is healthy after`,
				`[kubelet-start] Waiting for the kubelet to perform the TLS Bootstrap`,
				`[kubelet-start] The kubelet sent certificate signing request "csr-1"`,
				`[kubelet-start] Certificate signing request "csr-1" was signed`,
			},
			wantFiles: allFiles,
		},
		{
			name: "pending request prints the approve command",
			kubelet: func(t *testing.T, d *fakeData) {
				createCSR(t, d, kubeletCSR(t, "csr-1", nil, nil))
			},
			setup: func(_ *testing.T, d *fakeData) {
				d.cfg.Timeouts.TLSBootstrap.Duration = 500 * time.Millisecond
			},
			wantErr: "approve it with 'kubectl certificate approve csr-1'",
			wantOut: []string{`Certificate signing request "csr-1" is not approved yet`, "\tkubectl certificate approve csr-1\n"},
			// The CA kubelet-start wrote is taken back, so a rerun's
			// preflight passes.
			wantFiles: failedFiles,
		},
		{
			name: "denied request fails at once",
			kubelet: func(t *testing.T, d *fakeData) {
				createCSR(t, d, kubeletCSR(t, "csr-1", []certificatesv1.CertificateSigningRequestCondition{denied}, nil))
			},
			setup: func(_ *testing.T, d *fakeData) {
				d.cfg.Timeouts.TLSBootstrap.Duration = time.Minute
			},
			wantErr:   `certificate signing request "csr-1" was denied (reason "Policy": unknown machine)`,
			wantFiles: failedFiles,
		},
		{
			name: "a control-plane node keeps the shared CA",
			setup: func(_ *testing.T, d *fakeData) {
				d.cfg.ControlPlane = &config.JoinControlPlane{LocalAPIEndpoint: config.APIEndpoint{AdvertiseAddress: cpAddress, BindPort: cpPort}}
				d.cfg.Timeouts.TLSBootstrap.Duration = 300 * time.Millisecond
			},
			wantErr:   "the kubelet did not complete its TLS bootstrap",
			wantFiles: map[string]os.FileMode{ca: 0o644, conf: 0o644, flagsEnv: 0o644, instance: 0o644},
		},
		{
			name: "custom kubelet credentials",
			setup: func(t *testing.T, d *fakeData) {
				writeKubeletConf(t, d)
			},
			wantOut:   []string{"[kubelet-check] The kubelet is healthy"},
			wantFiles: allFiles,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := newFakeData(t, healthz(t))
			if tt.setup != nil {
				tt.setup(t, d)
			}
			sys := &fakeInit{}
			if tt.kubelet != nil {
				sys.onRestart = func() { tt.kubelet(t, d) }
			}
			if out, err := output(func(ctx context.Context) error { return runKubeletStart(ctx, d, testHost(sys)) }); err != nil {
				t.Fatalf("runKubeletStart: %v\noutput:\n%s", err, out)
			}
			start := time.Now()
			out, err := output(func(ctx context.Context) error { return runKubeletWaitBootstrap(ctx, d, testHost(sys)) })
			if tt.wantErr == "" && err != nil {
				t.Fatalf("runKubeletWaitBootstrap: %v\noutput:\n%s", err, out)
			}
			if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
			}
			if time.Since(start) > 3*time.Second {
				t.Errorf("took %v", time.Since(start))
			}
			for _, w := range tt.wantOut {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			if got := files(t, d.dir); !maps.Equal(got, tt.wantFiles) {
				t.Errorf("files = %v, want %v", got, tt.wantFiles)
			}
		})
	}
}

// TestKubeletWaitBootstrapAlone: run on its own, the phase needs the
// kubelet's configuration that kubelet-start writes, and a dry run waits for
// nothing.
func TestKubeletWaitBootstrapAlone(t *testing.T) {
	t.Parallel()
	d := newFakeData(t, healthz(t))
	_, err := output(func(ctx context.Context) error { return runKubeletWaitBootstrap(ctx, d, testHost(&fakeInit{})) })
	if want := "run 'kadm join phase kubelet-start' first"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("error = %v, want one containing %q", err, want)
	}
	d.cfg.DryRun = true
	out, err := output(func(ctx context.Context) error { return runKubeletWaitBootstrap(ctx, d, testHost(&fakeInit{})) })
	if err != nil || !strings.Contains(out, "[kubelet-wait] Would wait for the kubelet to be bootstrapped") {
		t.Errorf("dry run: %v\n%s", err, out)
	}
}

// joinKubelet runs kubelet-start and kubelet-wait-bootstrap, as a join does.
func joinKubelet(ctx context.Context, d *fakeData, h host) error {
	if err := runKubeletStart(ctx, d, h); err != nil {
		return err
	}
	return runKubeletWaitBootstrap(ctx, d, h)
}

func TestKubeletStartFileContents(t *testing.T) {
	t.Parallel()
	d := newFakeData(t, healthz(t))
	d.cfg.NodeRegistration.Taints = []corev1.Taint{{Key: "dedicated", Value: "db", Effect: corev1.TaintEffectNoSchedule}}
	// The patch moves the healthz port where the kubelet listens: the wait
	// must use the patched configuration, as the kubelet does.
	port := *d.state.Kubelet.HealthzPort
	d.state.Kubelet.HealthzPort = ptr.To(int32(1))
	d.cfg.Timeouts.KubeletHealthCheck.Duration = time.Second
	d.patchesDir = filepath.Join(d.dir, "patches")
	writeFile(t, filepath.Join(d.patchesDir, "kubeletconfiguration+strategic.yaml"), fmt.Sprintf("maxPods: 42\nhealthzPort: %d\n", port))
	sys := &fakeInit{onRestart: func() { writeKubeletConf(t, d) }}
	if _, err := output(func(ctx context.Context) error { return joinKubelet(ctx, d, testHost(sys)) }); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ path, want string }{
		{d.cfg.CACertPath, testCA},
		{filepath.Join(d.kubeletDir, "kubeadm-flags.env"), `KUBELET_KUBEADM_ARGS="--hostname-override=worker-1 --register-with-taints=dedicated=db:NoSchedule"` + "\n"},
		{filepath.Join(d.kubeletDir, "instance-config.yaml"), `containerRuntimeEndpoint: "unix:///var/run/containerd/containerd.sock"` + "\n"},
	} {
		got, err := os.ReadFile(c.path)
		if err != nil || string(got) != c.want {
			t.Errorf("%s = %q (%v), want %q", c.path, got, err, c.want)
		}
	}
	got, err := os.ReadFile(filepath.Join(d.kubeletDir, "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"kind: KubeletConfiguration", "containerRuntimeEndpoint: unix:///var/run/containerd/containerd.sock", "healthzBindAddress: 127.0.0.1", "maxPods: 42"} {
		if !strings.Contains(string(got), want) {
			t.Errorf("config.yaml lacks %q:\n%s", want, got)
		}
	}
}

// TestKubeletStartRerun runs kubelet-start and kubelet-wait-bootstrap again
// after the TLS bootstrap timed out: the second run rewrites what it needs
// and completes.
func TestKubeletStartRerun(t *testing.T) {
	t.Parallel()
	d := newFakeData(t, healthz(t))
	d.cfg.Timeouts.TLSBootstrap.Duration = 300 * time.Millisecond
	sys := &fakeInit{onRestart: func() { createCSR(t, d, kubeletCSR(t, "csr-1", nil, nil)) }}
	if _, err := output(func(ctx context.Context) error { return joinKubelet(ctx, d, testHost(sys)) }); err == nil {
		t.Fatal("the first run succeeded without a kubelet.conf")
	}
	sys.onRestart = func() { writeKubeletConf(t, d) }
	if out, err := output(func(ctx context.Context) error { return joinKubelet(ctx, d, testHost(sys)) }); err != nil {
		t.Fatalf("rerun: %v\n%s", err, out)
	}
	for _, f := range []string{d.cfg.CACertPath, filepath.Join(d.kubeletDir, "config.yaml"), filepath.Join(d.kubeconfigDir, "kubelet.conf")} {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("after the rerun: %v", err)
		}
	}
	if _, err := os.Stat(filepath.Join(d.kubeconfigDir, "bootstrap-kubelet.conf")); err == nil {
		t.Error("bootstrap-kubelet.conf remains after the rerun")
	}
}

func createCSR(t *testing.T, d *fakeData, csr *certificatesv1.CertificateSigningRequest) {
	t.Helper()
	if _, err := d.client.CertificatesV1().CertificateSigningRequests().Create(context.Background(), csr, metav1.CreateOptions{}); err != nil {
		t.Error(err)
	}
}

// writeKubeletConf plays the kubelet finishing its bootstrap.
func writeKubeletConf(t *testing.T, d *fakeData) {
	t.Helper()
	cfg := kubeconfig.WithClientCert("https://10.0.0.1:6443", "prod", "system:node:"+testNode, []byte(testCA), []byte("cert"), []byte("key"))
	if err := kubeconfig.Write(filepath.Join(d.kubeconfigDir, "kubelet.conf"), cfg); err != nil {
		t.Error(err)
	}
}

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
}
