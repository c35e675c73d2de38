package resetphases

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/kadm-project/kadm/cluster/etcdcluster"
	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/node/cri"
	"github.com/kadm-project/kadm/node/cri/crifake"
	"github.com/kadm-project/kadm/node/initsystem"
	"github.com/kadm-project/kadm/node/machine"
	"github.com/kadm-project/kadm/node/staticpod"
	"github.com/kadm-project/kadm/phases/workflow"
)

// fakeData is a host laid out under root: root/etc/kubernetes,
// root/var/lib/kubelet, root/var/lib/etcd.
type fakeData struct {
	root          string
	dryRun, force bool
	cleanupTmp    bool
	in            io.Reader
	certDir       string
	cluster       *config.ClusterConfiguration
	etcd          *fakeEtcd
	etcdErr       error
	criSocket     string
	sys           *fakeInitSystem
	mounts        string
	unmountErr    error
	unmounted     []string
	// runtime is the node's container runtime, holding the Pods the
	// kubelet started; unreachable when nil.
	runtime  *crifake.Runtime
	uid      int
	timeouts *config.Timeouts
}

func newFakeData(t *testing.T) *fakeData {
	t.Helper()
	d := &fakeData{root: t.TempDir(), in: strings.NewReader(""), sys: &fakeInitSystem{}, criSocket: config.DefaultCRISocket,
		runtime: &crifake.Runtime{Pods: []cri.PodSandbox{{ID: "a1", Name: "kube-apiserver-cp-1", Namespace: "kube-system"}, {ID: "b2", Name: "etcd-cp-1", Namespace: "kube-system"}}}}
	for _, dir := range []string{d.ManifestDir(), d.KubeletDir(), d.EtcdParentDir()} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	d.mounts = filepath.Join(d.root, "mounts")
	write(t, d.mounts, "")
	return d
}

func (d *fakeData) DryRun() bool { return d.dryRun }
func (d *fakeData) Timeouts() *config.Timeouts {
	if d.timeouts == nil {
		return config.DefaultResetConfiguration().Timeouts
	}
	return d.timeouts
}
func (d *fakeData) Force() bool                     { return d.force }
func (d *fakeData) CleanupTmpDir() bool             { return d.cleanupTmp }
func (d *fakeData) IgnorePreflightErrors() []string { return nil }
func (d *fakeData) In() io.Reader                   { return d.in }
func (d *fakeData) Program() string                 { return "kadm" }
func (d *fakeData) KubernetesDir() string           { return filepath.Join(d.root, "etc/kubernetes") }
func (d *fakeData) ManifestDir() string             { return filepath.Join(d.KubernetesDir(), "manifests") }
func (d *fakeData) KubeletDir() string              { return filepath.Join(d.root, "var/lib/kubelet") }
func (d *fakeData) EtcdParentDir() string           { return filepath.Join(d.root, "var/lib") }
func (d *fakeData) CRISocket() string               { return d.criSocket }
func (d *fakeData) CertificatesDir(context.Context) (string, string) {
	if d.certDir != "" {
		return d.certDir, "--cert-dir"
	}
	return filepath.Join(d.KubernetesDir(), "pki"), "the default"
}
func (d *fakeData) Cluster(context.Context) *config.ClusterConfiguration { return d.cluster }
func (d *fakeData) Etcd(context.Context, string) (EtcdCluster, error) {
	if d.etcdErr != nil {
		return nil, d.etcdErr
	}
	return d.etcd, nil
}
func (d *fakeData) Host() machine.Host {
	connect := crifake.Unreachable
	if d.runtime != nil {
		connect = d.runtime.Connect
	}
	return machine.Host{
		UID:        func() int { return d.uid },
		InitSystem: func() (initsystem.InitSystem, error) { return d.sys, nil },
		CRI:        connect,
		Mounts:     d.mounts,
		Unmount: func(p string) error {
			d.unmounted = append(d.unmounted, p)
			return d.unmountErr
		},
	}
}

type fakeInitSystem struct{ stopped []string }

func (*fakeInitSystem) Name() string                           { return "systemd" }
func (*fakeInitSystem) EnableCommand(s string) string          { return "systemctl enable " + s }
func (*fakeInitSystem) StartCommand(s string) string           { return "systemctl start " + s }
func (*fakeInitSystem) Start(context.Context, string) error    { return nil }
func (*fakeInitSystem) Restart(context.Context, string) error  { return nil }
func (*fakeInitSystem) Exists(context.Context, string) bool    { return true }
func (*fakeInitSystem) IsEnabled(context.Context, string) bool { return true }
func (*fakeInitSystem) IsActive(context.Context, string) bool  { return true }
func (f *fakeInitSystem) Stop(_ context.Context, s string) error {
	f.stopped = append(f.stopped, s)
	return nil
}

// fakeEtcd is a cluster of members.
type fakeEtcd struct {
	members   []etcdcluster.Member
	removeErr error
	// hang makes Remove wait for its context, as the removal does in a
	// cluster without quorum.
	hang   bool
	closed bool
}

func (*fakeEtcd) Endpoints() []string {
	return []string{"https://10.0.0.1:2379", "https://10.0.0.2:2379"}
}
func (f *fakeEtcd) Members(context.Context) ([]etcdcluster.Member, error) { return f.members, nil }
func (f *fakeEtcd) Remove(ctx context.Context, peerURL string) (bool, error) {
	if f.hang {
		<-ctx.Done()
		return false, ctx.Err()
	}
	if f.removeErr != nil {
		return false, f.removeErr
	}
	for i, m := range f.members {
		for _, u := range m.PeerURLs {
			if u == peerURL {
				f.members = append(f.members[:i], f.members[i+1:]...)
				return true, nil
			}
		}
	}
	return false, nil
}
func (f *fakeEtcd) Close() error { f.closed = true; return nil }

var errUnreachable = errors.New("connection refused")

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func exist(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// writeEtcdManifest writes an etcd static Pod whose member talks to its
// peers at peerURL and keeps its data in dataDir.
func writeEtcdManifest(t *testing.T, d *fakeData, peerURL, dataDir string) {
	t.Helper()
	pod := staticpod.New(corev1.Container{
		Name:    "etcd",
		Command: []string{"etcd", "--name=node1", "--initial-advertise-peer-urls=" + peerURL, "--data-dir=" + dataDir},
	}, []corev1.Volume{staticpod.HostPath("etcd-data", dataDir, corev1.HostPathDirectoryOrCreate)}, nil)
	b, err := staticpod.Marshal(pod)
	if err != nil {
		t.Fatal(err)
	}
	write(t, staticpod.Path(d.ManifestDir(), "etcd"), string(b))
}

// run runs phase with its output in the returned buffer.
func run(t *testing.T, phase func(context.Context, Data) error, d *fakeData) (string, error) {
	t.Helper()
	var out bytes.Buffer
	ctx := workflow.WithReporter(t.Context(), &workflow.TextReporter{Out: &out})
	err := phase(ctx, d)
	return out.String(), err
}
