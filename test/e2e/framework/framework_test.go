package framework

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestHostPath(t *testing.T) {
	t.Parallel()
	h := &Host{InitPID: 42}
	for _, tc := range []struct{ in, want string }{
		{"/etc/kubernetes/admin.conf", "/proc/42/root/etc/kubernetes/admin.conf"},
		{"/run/containerd/containerd.sock", "/proc/42/root/run/containerd/containerd.sock"},
		{"var/lib/kubelet/../kubelet/config.yaml", "/proc/42/root/var/lib/kubelet/config.yaml"},
		{"/", "/proc/42/root"},
	} {
		if got := h.Path(tc.in); got != tc.want {
			t.Errorf("Path(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestUpperPath(t *testing.T) {
	t.Parallel()
	h := &Host{Dir: "/tmp/kadm-e2e/a"}
	for _, tc := range []struct{ in, want string }{
		{"/etc/containerd/config.toml", "/tmp/kadm-e2e/a/overlay/etc/upper/containerd/config.toml"},
		{"/usr/lib/systemd/system/kubelet.service", "/tmp/kadm-e2e/a/overlay/usr/upper/lib/systemd/system/kubelet.service"},
	} {
		if got, err := upperPath(h, tc.in); err != nil || got != tc.want {
			t.Errorf("upperPath(%q) = %q, %v, want %q", tc.in, got, err, tc.want)
		}
	}
	if _, err := upperPath(h, "/tmp/x"); err == nil {
		t.Errorf("upperPath of a path outside the overlays succeeded")
	}
}

func TestMachineSnapshotChanged(t *testing.T) {
	t.Parallel()
	before := MachineSnapshot{"/proc/sys/kernel/panic": "0"}
	if got := before.Changed(MachineSnapshot{"/proc/sys/kernel/panic": "0"}); len(got) != 0 {
		t.Errorf("an unchanged snapshot reports %q", got)
	}
	got := before.Changed(MachineSnapshot{"/proc/sys/kernel/panic": "10"})
	if len(got) != 1 || !strings.Contains(got[0], "kernel/panic: 0 before, 10 now") {
		t.Errorf("a changed kernel.panic reports %q", got)
	}
}

func TestCNIConfig(t *testing.T) {
	t.Parallel()
	h := &Host{Pods: netip.MustParsePrefix("10.77.3.128/25")}
	var conf struct {
		Plugins []struct {
			Type string
			IPAM struct {
				Ranges [][]struct{ Subnet, Gateway string }
			}
		}
	}
	if err := json.Unmarshal([]byte(cniConfig("kadm-e2e", h)), &conf); err != nil {
		t.Fatal(err)
	}
	r := conf.Plugins[0].IPAM.Ranges[0][0]
	if conf.Plugins[0].Type != "bridge" || r.Subnet != "10.77.3.128/25" || r.Gateway != "10.77.3.129" {
		t.Errorf("the CNI network is %+v", conf)
	}
}

func TestValidHostName(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{"cp", true}, {"kubeadm-worker", true}, {"a1", true},
		{"", false}, {"-a", false}, {"a-", false}, {"Upper", false}, {"a_b", false}, {strings.Repeat("a", 33), false},
	} {
		if err := validHostName(tc.name); (err == nil) != tc.ok {
			t.Errorf("validHostName(%q) = %v, want ok %t", tc.name, err, tc.ok)
		}
	}
}

func TestTail(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"a\nb\nc\n", 2, "b\nc"},
		{"a\nb\nc", 5, "a\nb\nc"},
		{"", 3, ""},
		{"only\n", 1, "only"},
	} {
		if got := string(tail([]byte(tc.in), tc.n)); got != tc.want {
			t.Errorf("tail(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}

func TestWaitFor(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	calls := 0
	err := WaitFor(ctx, time.Second, time.Millisecond, "the third call", func(context.Context) error {
		if calls++; calls < 3 {
			return errors.New("not yet")
		}
		return nil
	})
	if err != nil || calls != 3 {
		t.Errorf("WaitFor = %v after %d calls, want success after 3", err, calls)
	}
	err = WaitFor(ctx, 20*time.Millisecond, time.Millisecond, "never", func(context.Context) error { return errors.New("still no") })
	if err == nil || !strings.Contains(err.Error(), "timed out") || !strings.Contains(err.Error(), "still no") {
		t.Errorf("a timeout gives %v, want the wait and the last failure named", err)
	}
	calls = 0
	err = WaitFor(ctx, time.Second, time.Millisecond, "a permanent failure", func(context.Context) error {
		calls++
		return Permanent(errors.New("broken"))
	})
	if err == nil || calls != 1 || !strings.Contains(err.Error(), "broken") {
		t.Errorf("a permanent error gives %v after %d calls, want it at once", err, calls)
	}
}

func TestTreeDigestSeesWrites(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "kubernetes")
	if got := treeDigest(dir); got != "(missing)" {
		t.Fatalf("a missing directory: %q", got)
	}
	if err := os.MkdirAll(filepath.Join(dir, "tmp"), 0o700); err != nil {
		t.Fatal(err)
	}
	made := treeDigest(dir)
	if err := os.WriteFile(filepath.Join(dir, "tmp", "ca.key"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if written := treeDigest(dir); written == made || made == "(missing)" {
		t.Errorf("a file written under the directory leaves its digest %q", written)
	}
}

// TestKeyFiles: a PEM private key in the temporary directory is found; the
// lab's own directory and go test's are not searched.
func TestKeyFiles(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	key := []byte("-----BEGIN EC PRIVATE KEY-----\nMHc=\n-----END EC PRIVATE KEY-----\n")
	for _, p := range []string{"kadm-init-dryrun-1/pki/ca.key", "kadm-e2e/cp/etc/ca.key", "TestX123/001/ca.key", "notes/readme"} {
		if err := os.MkdirAll(filepath.Join(tmp, filepath.Dir(p)), 0o700); err != nil {
			t.Fatal(err)
		}
		content := key
		if strings.HasSuffix(p, "readme") {
			content = []byte("no key here")
		}
		if err := os.WriteFile(filepath.Join(tmp, p), content, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	got := KeyFiles(&Lab{Name: "kadm-e2e"})
	if want := []string{filepath.Join(tmp, "kadm-init-dryrun-1/pki/ca.key")}; !slices.Equal(got, want) {
		t.Errorf("KeyFiles = %q, want %q", got, want)
	}
}

// TestMemoryCountsDescendants: a host's memory includes its init's
// descendants, as the containers under their shims are.
func TestMemoryCountsDescendants(t *testing.T) {
	self, err := os.ReadFile("/proc/self/smaps_rollup")
	if err != nil {
		t.Skip("no smaps_rollup:", err)
	}
	child := exec.Command("sleep", "30")
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	defer child.Process.Kill()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps_rollup", child.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	h := &Host{Name: "self", InitPID: os.Getpid()}
	got, err := h.Memory()
	if err != nil {
		t.Fatal(err)
	}
	// Both grow a little between the reads; the child's share alone is
	// what a count of the init only would miss.
	if want := pss(self) + pss(b)/2; got < want {
		t.Errorf("Memory = %d, want at least %d (this process and its child)", got, want)
	}
}
