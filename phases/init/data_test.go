package initphases

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/kadm-project/kadm/cluster/kube"
	"github.com/kadm-project/kadm/cluster/kube/kubefake"

	"k8s.io/client-go/kubernetes/fake"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/node/machine"
	"github.com/kadm-project/kadm/node/patches"
	"github.com/kadm-project/kadm/pkiutil"
)

// testData is the one Data every phase test runs against: each method
// answers from a plain field, so a test states its inputs by setting fields,
// and a new Data method fails to compile here instead of panicking at run
// time in whichever test reaches it first.
type testData struct {
	cfg     *config.InitConfiguration
	cluster *config.ClusterConfiguration

	dryRun, uploadCerts, printManifest, externalCA bool
	skipTokenPrint, skipCertKeyPrint               bool
	ignorePreflight                                []string

	// The directories: all under one temporary root, laid out as under
	// /etc/kubernetes and /var/lib/kubelet.
	root, certDir, kubeConfigDir, manifestDir, kubeletDir string
	kubeConfigPath                                        string
	// hostKubeConfigDir is a dry run's: the host's kubeconfig directory.
	hostKubeConfigDir string

	client      *fake.Clientset
	clientCalls atomic.Int32
	keys        *pkiutil.KeyPool
	program     string

	// patchesDir, patches and patchesErr are --patches as the app gives
	// them: set them together with usePatches.
	patchesDir string
	patches    *patches.Set
	patchesErr error

	kubeletDoc, kubeProxyDoc []byte
	// host is what Host returns: nothing of the machine unless a test fills it.
	host machine.Host
}

var _ Data = (*testData)(nil)

// newTestData is a defaulted, valid configuration for node cp-1 at 10.0.0.5
// with every directory under t.TempDir(), so that no test reaches the host's.
// Keys are ECDSA P-256, which are generated in microseconds.
func newTestData(t *testing.T) *testData {
	t.Helper()
	cfg := config.DefaultInitConfiguration()
	cfg.NodeRegistration.Name = "cp-1"
	cfg.NodeRegistration.CRISocket = config.DefaultCRISocket
	cfg.LocalAPIEndpoint.AdvertiseAddress = "10.0.0.5"
	cluster := config.DefaultClusterConfiguration()
	cluster.EncryptionAlgorithm = config.EncryptionAlgorithmECDSAP256
	root := t.TempDir()
	d := &testData{
		cfg:           cfg,
		cluster:       cluster,
		root:          root,
		certDir:       filepath.Join(root, "pki"),
		kubeConfigDir: root,
		manifestDir:   filepath.Join(root, "manifests"),
		kubeletDir:    filepath.Join(root, "kubelet"),
		client:        fake.NewClientset(),
		keys:          pkiutil.NewKeyPool(),
		program:       "kadm",
	}
	d.kubeConfigPath = filepath.Join(root, "admin.conf")
	// Outside --dry-run the configured directories are the ones written to.
	cluster.CertificatesDir = d.certDir
	cluster.Etcd.Local.DataDir = filepath.Join(root, "var-lib-etcd")
	return d
}

// usePatches is --patches dir: the set is read as the app reads it, and a
// directory that does not load is the error every phase then gets.
func (d *testData) usePatches(dir string) {
	d.patchesDir = dir
	d.patches, d.patchesErr = patches.Load(dir)
}

func (d *testData) Cfg() *config.InitConfiguration           { return d.cfg }
func (d *testData) ClusterCfg() *config.ClusterConfiguration { return d.cluster }
func (d *testData) DryRun() bool                             { return d.dryRun }
func (d *testData) IgnorePreflightErrors() []string          { return d.ignorePreflight }
func (d *testData) UploadCerts() bool                        { return d.uploadCerts }
func (d *testData) SkipTokenPrint() bool                     { return d.skipTokenPrint }
func (d *testData) SkipCertificateKeyPrint() bool            { return d.skipCertKeyPrint }
func (d *testData) PrintManifest() bool                      { return d.printManifest }
func (d *testData) CertificatesDir() string                  { return d.certDir }
func (d *testData) KubeConfigDir() string                    { return d.kubeConfigDir }
func (d *testData) KubeConfigPath() string                   { return d.kubeConfigPath }
func (d *testData) HostKubeConfigDir() string {
	if d.hostKubeConfigDir == "" {
		return d.kubeConfigDir
	}
	return d.hostKubeConfigDir
}
func (d *testData) ManifestDir() string             { return d.manifestDir }
func (d *testData) KubeletDir() string              { return d.kubeletDir }
func (d *testData) ExternalCA() bool                { return d.externalCA }
func (d *testData) Program() string                 { return d.program }
func (d *testData) Keys() *pkiutil.KeyPool          { return d.keys }
func (d *testData) KubeletConfigDocument() []byte   { return d.kubeletDoc }
func (d *testData) KubeProxyConfigDocument() []byte { return d.kubeProxyDoc }

func (d *testData) Patches(context.Context) (*patches.Set, error) {
	return d.patches, d.patchesErr
}

// Client counts its calls, so that a test can tell whether a phase reached
// for the cluster, and refuses on --dry-run, where no phase may.
func (d *testData) Host() machine.Host { return d.host }
func (d *testData) Client(context.Context) (kube.Interface, error) {
	d.clientCalls.Add(1)
	if d.dryRun {
		return nil, errors.New("a dry run asked for the cluster client")
	}
	return kubefake.Wrap(d.client), nil
}

// usePatchFiles writes files (name to content) into a fresh patches
// directory and passes it as --patches.
func (d *testData) usePatchFiles(t *testing.T, files map[string]string) {
	t.Helper()
	dir := filepath.Join(d.root, "patches")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	d.usePatches(dir)
}
