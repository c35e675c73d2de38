package rollout

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/kadm-project/kadm/internal/progress"
	"github.com/kadm-project/kadm/node/staticpod"
)

func pod(image string) *corev1.Pod {
	return staticpod.New(corev1.Container{Name: "kube-scheduler", Image: image, Command: []string{"kube-scheduler"}}, nil, nil)
}

// fakeKubelet runs whatever manifest is in dir, unless its image is in broken; it records
// what it was asked.
type fakeKubelet struct {
	t      *testing.T
	dir    string
	broken map[string]bool
	mu     sync.Mutex
	calls  []string
}

func (k *fakeKubelet) record(s string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.calls = append(k.calls, s)
}

func (k *fakeKubelet) Before(_ context.Context, component string) string {
	k.record("before " + component)
	return "hash-before"
}

func (k *fakeKubelet) Running(ctx context.Context, want *corev1.Pod, since time.Time, before string) error {
	k.record(fmt.Sprintf("running %s since-set=%v before=%q", want.Spec.Containers[0].Image, !since.IsZero(), before))
	on, err := staticpod.Read(staticpod.Path(k.dir, want.Name))
	if err != nil {
		return err
	}
	if !staticpod.Equal(on, want) {
		return fmt.Errorf("the manifest on disk is not the one waited for")
	}
	if k.broken[want.Spec.Containers[0].Image] {
		<-ctx.Done()
		return fmt.Errorf("container %s is in CrashLoopBackOff: %w", want.Name, context.Cause(ctx))
	}
	return nil
}

func (k *fakeKubelet) Stopped(_ context.Context, want *corev1.Pod) error {
	_, err := os.Stat(staticpod.Path(k.dir, want.Name))
	k.record(fmt.Sprintf("stopped (manifest present: %v)", err == nil))
	return nil
}

type fixture struct {
	m       *Manifests
	kubelet *fakeKubelet
	k8sDir  string
	out     *strings.Builder
	ctx     context.Context
}

func newFixture(t *testing.T, current *corev1.Pod, broken ...string) *fixture {
	t.Helper()
	k8sDir := t.TempDir()
	dir := filepath.Join(k8sDir, "manifests")
	if _, _, err := staticpod.Write(dir, current); err != nil {
		t.Fatal(err)
	}
	k := &fakeKubelet{t: t, dir: dir, broken: map[string]bool{}}
	for _, b := range broken {
		k.broken[b] = true
	}
	out := &strings.Builder{}
	var mu sync.Mutex
	ctx := progress.WithSink(t.Context(), func(s string) { mu.Lock(); out.WriteString(s); mu.Unlock() })
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	return &fixture{
		m:       &Manifests{Dir: dir, KubernetesDir: k8sDir, Waiter: k, Timeout: 200 * time.Millisecond, Now: func() time.Time { return now }},
		kubelet: k, k8sDir: k8sDir, out: out, ctx: ctx,
	}
}

func (f *fixture) onDisk(t *testing.T) *corev1.Pod {
	t.Helper()
	p, err := staticpod.Read(staticpod.Path(f.m.Dir, "kube-scheduler"))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestReplaceUpgrades(t *testing.T) {
	t.Parallel()
	old, want := pod("registry.k8s.io/kube-scheduler:v1.36.3"), pod("registry.k8s.io/kube-scheduler:v1.37.2")
	f := newFixture(t, old)
	got, err := f.m.Replace(f.ctx, want, nil)
	if err != nil || got != Upgraded {
		t.Fatalf("Replace = %v, %v; want Upgraded", got, err)
	}
	if !staticpod.Equal(f.onDisk(t), want) {
		t.Error("the new manifest is not in place")
	}
	backupDir := filepath.Join(f.k8sDir, "tmp", "kubeadm-backup-manifests-2026-11-23-09-00-00")
	if f.m.BackupDir() != backupDir {
		t.Errorf("backup directory %q, want %q", f.m.BackupDir(), backupDir)
	}
	backup, err := staticpod.Read(filepath.Join(backupDir, "kube-scheduler.yaml"))
	if err != nil || !staticpod.Equal(backup, old) {
		t.Errorf("the old manifest is not backed up: %v", err)
	}
	for path, mode := range map[string]os.FileMode{backupDir: 0o700 | os.ModeDir, filepath.Join(backupDir, "kube-scheduler.yaml"): 0o600, staticpod.Path(f.m.Dir, "kube-scheduler"): 0o600} {
		if fi, err := os.Stat(path); err != nil || fi.Mode() != mode {
			t.Errorf("%s: mode %v, %v; want %v", path, fi.Mode(), err, mode)
		}
	}
	wantCalls := []string{"before kube-scheduler", `running registry.k8s.io/kube-scheduler:v1.37.2 since-set=true before="hash-before"`}
	if fmt.Sprint(f.kubelet.calls) != fmt.Sprint(wantCalls) {
		t.Errorf("waits %q, want %q", f.kubelet.calls, wantCalls)
	}
	for _, line := range []string{
		`[upgrade/staticpods] Preparing for "kube-scheduler" upgrade`,
		`[upgrade/staticpods] Moving new manifest to "` + staticpod.Path(f.m.Dir, "kube-scheduler") + `" and backing up old manifest to "` + filepath.Join(backupDir, "kube-scheduler.yaml") + `"`,
		"[upgrade/staticpods] This can take up to 200ms",
		`[upgrade/staticpods] Component "kube-scheduler" upgraded successfully!`,
	} {
		if !strings.Contains(f.out.String(), line) {
			t.Errorf("progress lacks %q:\n%s", line, f.out)
		}
	}
}

func TestReplaceUnchanged(t *testing.T) {
	t.Parallel()
	want := pod("registry.k8s.io/kube-scheduler:v1.37.2")
	f := newFixture(t, want)
	got, err := f.m.Replace(f.ctx, want, nil)
	if err != nil || got != Unchanged {
		t.Fatalf("Replace = %v, %v; want Unchanged", got, err)
	}
	if f.m.BackupDir() != "" {
		t.Errorf("a backup directory was made for nothing: %s", f.m.BackupDir())
	}
	if _, err := os.Stat(filepath.Join(f.k8sDir, "tmp")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("tmp was created: %v", err)
	}
	if !strings.Contains(f.out.String(), "Current and new manifests of kube-scheduler are equal, skipping upgrade") {
		t.Errorf("progress:\n%s", f.out)
	}
	// An unchanged component must still run.
	broken := newFixture(t, want, want.Spec.Containers[0].Image)
	if _, err := broken.m.Replace(broken.ctx, want, nil); err == nil || !strings.Contains(err.Error(), "whose manifest needs no change, does not run") {
		t.Errorf("a broken unchanged component: %v", err)
	}
}

func TestReplaceRollsBack(t *testing.T) {
	t.Parallel()
	old, want := pod("registry.k8s.io/kube-scheduler:v1.36.3"), pod("registry.k8s.io/kube-scheduler:v9.9.9-broken")
	f := newFixture(t, old, want.Spec.Containers[0].Image)
	_, err := f.m.Replace(f.ctx, want, nil)
	var rb *RolledBackError
	if !errors.As(err, &rb) {
		t.Fatalf("Replace = %v, want a *RolledBackError", err)
	}
	if !staticpod.Equal(f.onDisk(t), old) {
		t.Error("the old manifest is not back in place")
	}
	backup := filepath.Join(f.m.BackupDir(), "kube-scheduler.yaml")
	if rb.Backup != backup || rb.Recovered != nil || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("rollback %+v; want backup %s, recovered, and a timeout", rb, backup)
	}
	want1 := "the new kube-scheduler static Pod did not come up: container kube-scheduler is in CrashLoopBackOff: context deadline exceeded after 200ms (timeouts.upgradeManifests); " +
		"its previous manifest is back in place (backed up at " + backup + "), and the previous kube-scheduler runs again"
	if err.Error() != want1 {
		t.Errorf("error:\n%s\nwant:\n%s", err, want1)
	}
	if !strings.Contains(f.out.String(), "rolling back to the manifest backed up at") {
		t.Errorf("progress does not say it rolls back:\n%s", f.out)
	}
	if !IsRolledBack(fmt.Errorf("phase: %w", err)) {
		t.Error("IsRolledBack does not see through wrapping")
	}

	both := newFixture(t, old, want.Spec.Containers[0].Image, old.Spec.Containers[0].Image)
	_, err = both.m.Replace(both.ctx, want, nil)
	if err == nil || !strings.Contains(err.Error(), ", but the previous kube-scheduler did not come back either: container kube-scheduler is in CrashLoopBackOff") {
		t.Errorf("neither comes up: %v", err)
	}
}

func TestReplaceRestartsForRenewedCertificates(t *testing.T) {
	t.Parallel()
	want := pod("registry.k8s.io/kube-scheduler:v1.37.2")
	f := newFixture(t, want)
	got, err := f.m.Replace(f.ctx, want, func() (bool, error) { return true, nil })
	if err != nil || got != Restarted {
		t.Fatalf("Replace = %v, %v; want Restarted", got, err)
	}
	wantCalls := []string{"before kube-scheduler", "stopped (manifest present: false)", `running registry.k8s.io/kube-scheduler:v1.37.2 since-set=true before=""`}
	if fmt.Sprint(f.kubelet.calls) != fmt.Sprint(wantCalls) {
		t.Errorf("waits %q, want %q", f.kubelet.calls, wantCalls)
	}
	if !staticpod.Equal(f.onDisk(t), want) {
		t.Error("the manifest is not back")
	}
	if !strings.Contains(f.out.String(), "Restarting the kube-scheduler static pod and backing up its manifest to") {
		t.Errorf("progress:\n%s", f.out)
	}

	// A renewal that fails changes nothing.
	g := newFixture(t, pod("old"))
	_, err = g.m.Replace(g.ctx, want, func() (bool, error) { return false, errors.New("no CA key") })
	if err == nil || err.Error() != `failed to renew certificates for component "kube-scheduler": no CA key` {
		t.Errorf("renewal failure: %v", err)
	}
	if !staticpod.Equal(g.onDisk(t), pod("old")) || g.m.BackupDir() != "" {
		t.Error("a failed renewal changed the manifest or made a backup")
	}
}

func TestReplaceWithoutManifest(t *testing.T) {
	t.Parallel()
	m := &Manifests{Dir: t.TempDir(), KubernetesDir: t.TempDir(), Timeout: time.Second}
	_, err := m.Replace(t.Context(), pod("x"), nil)
	if err == nil || !strings.Contains(err.Error(), "read the current kube-scheduler manifest") || !strings.Contains(err.Error(), "is this a control-plane node?") {
		t.Errorf("Replace without a manifest: %v", err)
	}
}

func TestNewBackupDir(t *testing.T) {
	t.Parallel()
	k8sDir := t.TempDir()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	first, err := NewBackupDir(k8sDir, EtcdBackup, now)
	if err != nil {
		t.Fatal(err)
	}
	second, err := NewBackupDir(k8sDir, EtcdBackup, now)
	if err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(k8sDir, "tmp", "kubeadm-backup-etcd-2026-01-02-03-04-05")
	if first != want || second != want+"-2" {
		t.Errorf("backup dirs %q, %q; want %q and %q-2", first, second, want, want)
	}
}

func TestCopyAndReplaceTree(t *testing.T) {
	t.Parallel()
	src := filepath.Join(t.TempDir(), "etcd")
	for path, data := range map[string]string{"member/snap/db": "bolt", "member/wal/0.wal": "wal"} {
		p := filepath.Join(src, path)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("snap/db", filepath.Join(src, "member", "link")); err != nil {
		t.Fatal(err)
	}
	backup := filepath.Join(t.TempDir(), "etcd")
	if err := CopyTree(src, backup); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(backup, "member", "snap", "db")); err != nil || string(b) != "bolt" {
		t.Errorf("copied db %q, %v", b, err)
	}
	if l, err := os.Readlink(filepath.Join(backup, "member", "link")); err != nil || l != "snap/db" {
		t.Errorf("copied link %q, %v", l, err)
	}
	if fi, err := os.Stat(filepath.Join(backup, "member", "wal", "0.wal")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("copied mode %v, %v", fi.Mode(), err)
	}
	if err := CopyTree(src, backup); err == nil {
		t.Error("CopyTree over an existing directory succeeded")
	}
	// The running data changes; the restore brings the backup back whole.
	if err := os.WriteFile(filepath.Join(src, "member", "snap", "db"), []byte("upgraded"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "new"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := ReplaceTree(backup, src); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(src, "member", "snap", "db")); string(b) != "bolt" {
		t.Errorf("restored db %q", b)
	}
	if _, err := os.Stat(filepath.Join(src, "new")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a file the backup does not have survived the restore: %v", err)
	}
	left, _ := filepath.Glob(src + ".kadm-*")
	if len(left) != 0 {
		t.Errorf("staging directories left: %v", left)
	}
}
