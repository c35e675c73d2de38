package upgradephases

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/version"
	fakediscovery "k8s.io/client-go/discovery/fake"
	"k8s.io/client-go/kubernetes/fake"
	certutil "k8s.io/client-go/util/cert"
	system "k8s.io/system-validators/validators"

	"github.com/kadm-project/kadm/cluster/kube"
	"github.com/kadm-project/kadm/cluster/kube/kubefake"
	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/internal/progress"
	"github.com/kadm-project/kadm/kubeconfig"
	"github.com/kadm-project/kadm/node/certs"
	"github.com/kadm-project/kadm/node/controlplane"
	"github.com/kadm-project/kadm/node/cri/crifake"
	"github.com/kadm-project/kadm/node/etcd"
	"github.com/kadm-project/kadm/node/initsystem"
	"github.com/kadm-project/kadm/node/machine"
	"github.com/kadm-project/kadm/node/patches"
	"github.com/kadm-project/kadm/node/rollout"
	"github.com/kadm-project/kadm/node/staticpod"
)

// testData is ApplyData over temporary directories, a fake API server, a fake etcd and a
// fake kubelet.
type testData struct {
	cfg        *config.UpgradeConfiguration
	cluster    *config.ClusterConfiguration
	node       Node
	dryRun     bool
	renewCerts bool
	k8sDir     string
	dryRunDir  string
	client     *fake.Clientset
	kubelet    *fakeKubelet
	etcd       *fakeEtcd
	in         io.Reader
	force      bool
}

var _ ApplyData = (*testData)(nil)

func (d *testData) Cfg() *config.UpgradeConfiguration     { return d.cfg }
func (d *testData) Cluster() *config.ClusterConfiguration { return d.cluster }
func (d *testData) Node() Node                            { return d.node }
func (d *testData) DryRun() bool                          { return d.dryRun }
func (d *testData) EtcdUpgrade() bool                     { return true }
func (d *testData) RenewCerts() bool                      { return d.renewCerts }
func (d *testData) IgnorePreflightErrors() []string       { return []string{"all"} }
func (d *testData) Client(context.Context) (kube.Interface, error) {
	return kubefake.Wrap(d.client), nil
}
func (d *testData) Patches(context.Context) (*patches.Set, error) { return nil, nil }
func (d *testData) KubernetesDir() string                         { return d.k8sDir }
func (d *testData) ManifestDir() string                           { return filepath.Join(d.k8sDir, "manifests") }
func (d *testData) KubeletDir() string                            { return filepath.Join(d.k8sDir, "kubelet") }
func (d *testData) DryRunDir() string                             { return d.dryRunDir }
func (d *testData) Host() machine.Host {
	return machine.Host{
		Root:             fstest.MapFS{},
		CRI:              crifake.Unreachable,
		SystemValidators: func(string, system.Reporter) []system.Validator { return nil },
		UID:              func() int { return 0 },
		Run:              func(context.Context, string, ...string) ([]byte, error) { return []byte("Kubernetes v1.36.3\n"), nil },
		InitSystem:       func() (initsystem.InitSystem, error) { return nil, initsystem.ErrNoInitSystem },
	}
}
func (d *testData) Program() string                                { return "kadm" }
func (d *testData) KadmVersion() string                            { return "v1.37.2" }
func (d *testData) Etcd(context.Context) (EtcdCluster, error)      { return d.etcd, nil }
func (d *testData) Waiter(context.Context) (rollout.Waiter, error) { return d.kubelet, nil }
func (d *testData) Interactive() bool                              { return d.in != nil }
func (d *testData) In() io.Reader                                  { return d.in }
func (d *testData) AllowExperimentalUpgrades() bool                { return false }
func (d *testData) AllowRCUpgrades() bool                          { return false }
func (d *testData) ForceUpgrade() bool                             { return d.force }

// fakeKubelet runs whatever manifest is in its directory, unless its image is broken.
type fakeKubelet struct {
	dir    string
	mu     sync.Mutex
	broken map[string]bool
	ran    []string
}

func (k *fakeKubelet) Before(context.Context, string) string { return "" }

func (k *fakeKubelet) Running(ctx context.Context, want *corev1.Pod, _ time.Time, _ string) error {
	on, err := staticpod.Read(staticpod.Path(k.dir, want.Name))
	if err != nil {
		return err
	}
	if !staticpod.Equal(on, want) {
		return fmt.Errorf("the manifest on disk is not the one waited for")
	}
	image := want.Spec.Containers[0].Image
	k.mu.Lock()
	broken := k.broken[image]
	k.mu.Unlock()
	if broken {
		<-ctx.Done()
		return fmt.Errorf("%s is in CrashLoopBackOff: %w", want.Name, context.Cause(ctx))
	}
	k.mu.Lock()
	k.ran = append(k.ran, image)
	k.mu.Unlock()
	return nil
}

func (k *fakeKubelet) Stopped(context.Context, *corev1.Pod) error { return nil }

// fakeEtcd records the calls of the etcd upgrade.
type fakeEtcd struct {
	mu        sync.Mutex
	calls     []string
	unhealthy error
}

func (e *fakeEtcd) record(s string) { e.mu.Lock(); e.calls = append(e.calls, s); e.mu.Unlock() }
func (e *fakeEtcd) CheckHealth(context.Context) error {
	e.record("health")
	return e.unhealthy
}
func (e *fakeEtcd) WaitAvailable(context.Context) error { e.record("available"); return nil }
func (e *fakeEtcd) Close() error                        { return nil }

// output collects the progress lines.
type output struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (o *output) ctx(t *testing.T) context.Context {
	return progress.WithSink(t.Context(), func(s string) { o.mu.Lock(); o.b.WriteString(s); o.mu.Unlock() })
}

func (o *output) String() string { o.mu.Lock(); defer o.mu.Unlock(); return o.b.String() }

// newTestData is a control-plane node cp1 of a v1.36.3 cluster with stacked etcd, about to
// be upgraded to v1.37.2: its manifests are those the v1.36.3 configuration gives.
func newTestData(t *testing.T, objs ...runtime.Object) *testData {
	t.Helper()
	k8sDir := t.TempDir()
	cluster := config.DefaultClusterConfiguration()
	cluster.KubernetesVersion = "v1.36.3"
	cluster.CertificatesDir = filepath.Join(k8sDir, "pki")
	cluster.Etcd.Local.DataDir = filepath.Join(k8sDir, "etcd-data")
	cluster.Etcd.Local.ImageTag = "3.6.8-0"
	// ECDSA keys, quick to make; the cluster's algorithm is the renewals' too.
	cluster.EncryptionAlgorithm = config.EncryptionAlgorithmECDSAP256
	cfg := config.DefaultUpgradeConfiguration()
	cfg.Timeouts.UpgradeManifests.Duration = 300 * time.Millisecond
	d := &testData{
		cfg: cfg, cluster: cluster, renewCerts: true, k8sDir: k8sDir,
		node:   Node{Name: "cp1", ControlPlane: true, Endpoint: config.APIEndpoint{AdvertiseAddress: "10.0.0.1", BindPort: 6443}, CRISocket: config.DefaultCRISocket},
		client: fake.NewClientset(objs...),
		etcd:   &fakeEtcd{},
	}
	writePKI(t, d)
	d.kubelet = &fakeKubelet{dir: d.ManifestDir(), broken: map[string]bool{}}
	pods, err := controlPlanePods(t.Context(), d)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pods {
		if _, _, err := staticpod.Write(d.ManifestDir(), p); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(cluster.Etcd.Local.DataDir, "member"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(cluster.Etcd.Local.DataDir, "member", "db"), []byte("v3.6 data"), 0o600); err != nil {
		t.Fatal(err)
	}
	// The target of the upgrade.
	cluster.KubernetesVersion = "v1.37.2"
	cluster.Etcd.Local.ImageTag = ""
	return d
}

// writePKI writes the certificate tree and the kubeconfig files of d's control-plane
// node, as init makes them.
func writePKI(t *testing.T, d *testData) {
	t.Helper()
	certDir := d.cluster.CertificatesDir
	specs, err := certs.Specs(certs.ForCluster(d.cluster), certs.Node{Name: d.node.Name, AdvertiseAddress: d.node.Endpoint.AdvertiseAddress}, d.cluster)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range specs {
		if _, err := certs.Create(t.Context(), certs.At(certDir), s, nil); err != nil {
			t.Fatal(err)
		}
	}
	files, err := kubeconfig.ControlPlaneFiles(d.node.Name, d.node.Endpoint, d.cluster)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := kubeconfig.LoadCA(certDir, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if _, err := kubeconfig.Ensure(t.Context(), d.k8sDir, f, ca, nil); err != nil {
			t.Fatal(err)
		}
	}
}

// serials are the serial numbers of the certificates `certs renew` renews, by name.
func (d *testData) serials(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, r := range certs.Renewals(d.cluster) {
		path := r.Path(d.cluster.CertificatesDir, d.k8sDir)
		var data []byte
		if strings.HasSuffix(path, ".conf") {
			cfg, err := kubeconfig.Load(path)
			if err != nil {
				t.Fatal(err)
			}
			_, user, err := kubeconfig.Current(cfg)
			if err != nil {
				t.Fatal(err)
			}
			data = user.ClientCertificateData
		} else {
			var err error
			if data, err = os.ReadFile(path); err != nil {
				t.Fatal(err)
			}
		}
		crts, err := certutil.ParseCertsPEM(data)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out[r.Name] = crts[0].SerialNumber.String()
	}
	return out
}

// renewedSince lists, sorted, the certificates whose serial number is not the one before.
func (d *testData) renewedSince(t *testing.T, before map[string]string) []string {
	t.Helper()
	var out []string
	for name, serial := range d.serials(t) {
		if before[name] != serial {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// image is the image of component's manifest on disk.
func (d *testData) image(t *testing.T, component string) string {
	t.Helper()
	p, err := staticpod.Read(staticpod.Path(d.ManifestDir(), component))
	if err != nil {
		t.Fatal(err)
	}
	return p.Spec.Containers[0].Image
}

func components() []string { return append([]string{etcd.Name}, controlplane.Components()...) }

func mustContain(t *testing.T, got string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("output lacks %q:\n%s", w, got)
		}
	}
}

func podWithCommand(cmd ...string) *corev1.Pod {
	return &corev1.Pod{Spec: corev1.PodSpec{Containers: []corev1.Container{{Command: cmd}}}}
}

type kubeClient = kube.Interface

type fakeDiscovery = *fakediscovery.FakeDiscovery

func serverVersion(v string) *version.Info { return &version.Info{GitVersion: v} }
