package joinphases

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kadm-project/kadm/cluster/kube"
	"github.com/kadm-project/kadm/cluster/kube/kubefake"

	certificatesv1 "k8s.io/api/certificates/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"k8s.io/utils/ptr"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/kubeconfig"
	"github.com/kadm-project/kadm/node/initsystem"
	"github.com/kadm-project/kadm/node/kubelet"
	"github.com/kadm-project/kadm/node/machine"
	"github.com/kadm-project/kadm/node/patches"
	"github.com/kadm-project/kadm/phases/workflow"
	"github.com/kadm-project/kadm/pkiutil"
)

const (
	testNode  = "worker-1"
	testToken = "abcdef.0123456789abcdef"
	testCA    = "-----BEGIN CERTIFICATE-----\nMIIBdGVzdA==\n-----END CERTIFICATE-----\n"
)

// fakeData is a worker join whose directories live under a temporary one.
type fakeData struct {
	cfg                            *config.JoinConfiguration
	dir, kubeconfigDir, kubeletDir string
	client                         *fake.Clientset
	state                          *ClusterState
	tlsCfg                         *clientcmdapi.Config
	mu                             sync.Mutex
	initCalls                      int
	ignore                         []string
	// patchesDir is --patches; empty for none.
	patchesDir string
	// admin is the control-plane node's admin.conf client.
	admin kube.Interface
	keys  *pkiutil.KeyPool
}

func newFakeData(t *testing.T, healthz string) *fakeData {
	t.Helper()
	dir := t.TempDir()
	cfg := config.DefaultJoinConfiguration()
	cfg.NodeRegistration.Name = testNode
	cfg.NodeRegistration.CRISocket = config.DefaultCRISocket
	cfg.CACertPath = filepath.Join(dir, "pki", "ca.crt")
	cfg.Discovery.TLSBootstrapToken = testToken
	cfg.Timeouts.KubeletHealthCheck = &metav1.Duration{Duration: 5 * time.Second}
	cfg.Timeouts.TLSBootstrap = &metav1.Duration{Duration: 5 * time.Second}

	cluster := config.DefaultClusterConfiguration()
	cluster.ClusterName = "prod"
	kc, _, err := kubelet.ClusterConfig(nil, cluster)
	if err != nil {
		t.Fatal(err)
	}
	host, port, err := net.SplitHostPort(healthz)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := strconv.Atoi(port)
	kc.HealthzBindAddress, kc.HealthzPort = host, ptr.To(int32(p))
	return &fakeData{
		cfg: cfg, dir: dir,
		kubeconfigDir: filepath.Join(dir, "etc"), kubeletDir: filepath.Join(dir, "kubelet"),
		client: withInitialEvents(fake.NewClientset()),
		state:  &ClusterState{Cluster: cluster, Kubelet: kc},
		tlsCfg: kubeconfig.WithToken("https://10.0.0.1:6443", "kubernetes", "tls-bootstrap-token-user", []byte(testCA), testToken),
	}
}

func (d *fakeData) Cfg() *config.JoinConfiguration { return d.cfg }
func (d *fakeData) DryRun() bool                   { return d.cfg.DryRun }
func (d *fakeData) DryRunPath(p string) string {
	return filepath.Join(d.dir, "dryrun", strings.TrimPrefix(p, d.dir))
}
func (d *fakeData) IgnorePreflightErrors() []string { return d.ignore }
func (d *fakeData) PatchesDir() string              { return d.patchesDir }
func (d *fakeData) Patches(context.Context) (*patches.Set, error) {
	if d.patchesDir == "" {
		return nil, nil
	}
	return patches.Load(d.patchesDir)
}
func (d *fakeData) KubeConfigDir() string { return d.kubeconfigDir }
func (d *fakeData) KubeletDir() string    { return d.kubeletDir }
func (d *fakeData) Program() string       { return "kadm" }
func (d *fakeData) ManifestDir() string   { return filepath.Join(d.kubeconfigDir, "manifests") }
func (d *fakeData) Keys() *pkiutil.KeyPool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.keys == nil {
		d.keys = pkiutil.NewKeyPool()
	}
	return d.keys
}
func (d *fakeData) Host() machine.Host { return machine.Host{} }
func (d *fakeData) Client(context.Context) (kube.Interface, error) {
	if d.admin == nil {
		return nil, errors.New("no admin.conf in this test")
	}
	return d.admin, nil
}
func (d *fakeData) TLSBootstrapCfg(context.Context) (*clientcmdapi.Config, error) {
	return d.tlsCfg, nil
}
func (d *fakeData) BootstrapClient(context.Context) (kube.Interface, error) {
	return kubefake.Wrap(d.client), nil
}
func (d *fakeData) Clientset(*clientcmdapi.Config) (kube.Interface, error) {
	return kubefake.Wrap(d.client), nil
}
func (d *fakeData) InitCfg(context.Context) (*ClusterState, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.initCalls++
	return d.state, nil
}

// healthz is a kubelet /healthz that is always healthy.
func healthz(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	t.Cleanup(srv.Close)
	return srv.Listener.Addr().String()
}

// fakeInit is an init system whose kubelet "restart" runs onRestart.
type fakeInit struct {
	mu        sync.Mutex
	calls     []string
	onRestart func()
}

func (f *fakeInit) record(c string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, c)
}
func (f *fakeInit) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}
func (f *fakeInit) Name() string                            { return "fake" }
func (f *fakeInit) EnableCommand(s string) string           { return "enable " + s }
func (f *fakeInit) StartCommand(s string) string            { return "start " + s }
func (f *fakeInit) Start(_ context.Context, s string) error { f.record("start " + s); return nil }
func (f *fakeInit) Stop(_ context.Context, s string) error  { f.record("stop " + s); return nil }
func (f *fakeInit) Restart(_ context.Context, s string) error {
	f.record("restart " + s)
	if f.onRestart != nil {
		f.onRestart()
	}
	return nil
}
func (f *fakeInit) Exists(context.Context, string) bool    { return true }
func (f *fakeInit) IsEnabled(context.Context, string) bool { return true }
func (f *fakeInit) IsActive(context.Context, string) bool  { return false }

// testHost wires sys in; kubelet.conf authenticates as this node once it
// exists.
func testHost(sys *fakeInit) host {
	check := func(_ context.Context, path string) (string, error) {
		if _, err := os.Stat(path); err != nil {
			return "", err
		}
		return "system:node:" + testNode, nil
	}
	return host{
		Host: machine.Host{
			InitSystem: func() (initsystem.InitSystem, error) { return sys, nil },
			Hostname:   func() (string, error) { return "host-1", nil },
		},
		check:        check,
		bootstrapped: check,
		pendingAfter: 50 * time.Millisecond,
	}
}

// kubeletCSR is the request the kubelet sends for testNode, with the given
// conditions and certificate.
func kubeletCSR(t *testing.T, name string, conds []certificatesv1.CertificateSigningRequestCondition, cert []byte) *certificatesv1.CertificateSigningRequest {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "system:node:" + testNode}}, key)
	if err != nil {
		t.Fatal(err)
	}
	return &certificatesv1.CertificateSigningRequest{
		ObjectMeta: metav1.ObjectMeta{Name: name, CreationTimestamp: metav1.Now()},
		Spec: certificatesv1.CertificateSigningRequestSpec{
			Request:    pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}),
			SignerName: certificatesv1.KubeAPIServerClientKubeletSignerName,
			Username:   "system:bootstrap:abcdef",
		},
		Status: certificatesv1.CertificateSigningRequestStatus{Conditions: conds, Certificate: cert},
	}
}

// output runs f with a reporter and returns what it printed.
func output(f func(ctx context.Context) error) (string, error) {
	var out bytes.Buffer
	var mu sync.Mutex
	ctx := workflow.WithReporter(context.Background(), &workflow.TextReporter{Out: &lockedWriter{w: &out, mu: &mu}})
	err := f(ctx)
	mu.Lock()
	defer mu.Unlock()
	return out.String(), err
}

type lockedWriter struct {
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// files lists the regular files under dir with their modes.
func files(t *testing.T, dir string) map[string]os.FileMode {
	t.Helper()
	got := map[string]os.FileMode{}
	err := filepath.WalkDir(dir, func(path string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		info, err := e.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		got[rel] = info.Mode().Perm()
		return nil
	})
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	return got
}
