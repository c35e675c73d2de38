package etcdcluster

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kadm-project/kadm/cluster/kube/kubefake"

	"github.com/google/go-cmp/cmp"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/kadm-project/kadm/node/etcd"
)

// etcdBinary is the etcd the e2e tests build, unless KADM_ETCD_BINARY names
// another.
func etcdBinary(t *testing.T) string {
	t.Helper()
	if bin := os.Getenv("KADM_ETCD_BINARY"); bin != "" {
		if _, err := os.Stat(bin); err != nil {
			t.Skipf("KADM_ETCD_BINARY: %v", err)
		}
		return bin
	}
	home, err := os.UserHomeDir()
	if err != nil {
		t.Skipf("no etcd binary: set KADM_ETCD_BINARY (no home directory for the e2e cache: %v)", err)
	}
	bin := filepath.Join(home, ".cache", "kadm", "e2e-bin", "v1.37.2", "etcd")
	if _, err := os.Stat(bin); errors.Is(err, fs.ErrNotExist) {
		t.Skipf("no etcd binary: set KADM_ETCD_BINARY or build the e2e binaries into %s", bin)
	}
	return bin
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = l.Close() }()
	return l.Addr().(*net.TCPAddr).Port
}

// testMember is one etcd process on 127.0.0.1, with client cert auth on
// both its client and its peer port.
type testMember struct {
	name, clientURL, peerURL string
}

func newTestMember(t *testing.T, name string) testMember {
	return testMember{
		name:      name,
		clientURL: fmt.Sprintf("https://127.0.0.1:%d", freePort(t)),
		peerURL:   fmt.Sprintf("https://127.0.0.1:%d", freePort(t)),
	}
}

// start runs the member until the test ends; its log is shown when the
// test fails.
func (m testMember) start(t *testing.T, bin, pki string, initialCluster []etcd.Member) {
	t.Helper()
	dir := t.TempDir()
	cluster := make([]string, len(initialCluster))
	for i, im := range initialCluster {
		cluster[i] = im.Name + "=" + im.PeerURL
	}
	state := "existing"
	if len(initialCluster) == 1 {
		state = "new"
	}
	crt, key, ca := filepath.Join(pki, "etcd", "server.crt"), filepath.Join(pki, "etcd", "server.key"), filepath.Join(pki, "etcd", "ca.crt")
	cmd := exec.Command(bin,
		"--name="+m.name,
		"--data-dir="+filepath.Join(dir, "data"),
		"--listen-client-urls="+m.clientURL,
		"--advertise-client-urls="+m.clientURL,
		"--listen-peer-urls="+m.peerURL,
		"--initial-advertise-peer-urls="+m.peerURL,
		"--initial-cluster="+strings.Join(cluster, ","),
		"--initial-cluster-state="+state,
		"--cert-file="+crt, "--key-file="+key, "--trusted-ca-file="+ca, "--client-cert-auth",
		"--peer-cert-file="+crt, "--peer-key-file="+key, "--peer-trusted-ca-file="+ca, "--peer-client-cert-auth",
	)
	logPath := filepath.Join(dir, "etcd.log")
	log, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatalf("start etcd %s: %v", m.name, err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		_ = log.Close()
		if t.Failed() {
			b, _ := os.ReadFile(logPath)
			t.Logf("log of etcd %s:\n%s", m.name, tail(string(b), 30))
		}
	})
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

func TestCluster(t *testing.T) {
	bin := etcdBinary(t)
	t.Parallel()
	pki := t.TempDir()
	testPKI(t, pki, net.IPv4(127, 0, 0, 1))
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	within := func(d time.Duration) context.Context {
		c, cancel := context.WithTimeout(ctx, d)
		t.Cleanup(cancel)
		return c
	}

	cp1, cp2 := newTestMember(t, "cp1"), newTestMember(t, "cp2")
	cp1.start(t, bin, pki, []etcd.Member{{Name: cp1.name, PeerURL: cp1.peerURL}})
	c, err := New([]string{cp1.clientURL}, pki)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })

	// CheckHealth retries until the new member has elected itself.
	if err := c.CheckHealth(within(10 * time.Second)); err != nil {
		t.Fatalf("CheckHealth() error = %v", err)
	}
	members, err := c.Members(ctx)
	if err != nil {
		t.Fatalf("Members() error = %v", err)
	}
	want := []Member{{ID: members[0].ID, Name: "cp1", PeerURLs: []string{cp1.peerURL}, ClientURLs: []string{cp1.clientURL}}}
	if diff := cmp.Diff(want, members); diff != "" {
		t.Fatalf("Members() (-want +got):\n%s", diff)
	}

	self, all, err := c.AddLearner(ctx, cp2.name, cp2.peerURL, nil)
	if err != nil {
		t.Fatalf("AddLearner() error = %v", err)
	}
	if !self.IsLearner || self.Name != "" || !cmp.Equal(self.PeerURLs, []string{cp2.peerURL}) {
		t.Fatalf("AddLearner() self = %+v, want an unstarted learner at %s", self, cp2.peerURL)
	}
	initial := InitialCluster(all, cp2.name, cp2.peerURL)
	wantInitial := []etcd.Member{{Name: "cp1", PeerURL: cp1.peerURL}, {Name: "cp2", PeerURL: cp2.peerURL}}
	if diff := cmp.Diff(wantInitial, initial); diff != "" {
		t.Fatalf("InitialCluster() (-want +got):\n%s", diff)
	}

	cp2.start(t, bin, pki, initial)
	if err := c.Promote(within(15*time.Second), self.ID); err != nil {
		t.Fatalf("Promote() error = %v", err)
	}
	if err := c.WaitAvailable(within(10 * time.Second)); err != nil {
		t.Fatalf("WaitAvailable() error = %v", err)
	}
	members, err = c.Members(ctx)
	if err != nil {
		t.Fatalf("Members() error = %v", err)
	}
	got, ok := withPeerURL(members, cp2.peerURL)
	if len(members) != 2 || !ok || got.IsLearner || got.Name != "cp2" || !cmp.Equal(got.ClientURLs, []string{cp2.clientURL}) {
		t.Fatalf("Members() after Promote = %+v, want cp2 started as a voter", members)
	}

	// A rerun of the join: nothing is added, and the voter stays one.
	again, all, err := c.AddLearner(ctx, cp2.name, cp2.peerURL, nil)
	if err != nil {
		t.Fatalf("AddLearner() again error = %v", err)
	}
	if again.ID != self.ID || again.IsLearner || len(all) != 2 {
		t.Fatalf("AddLearner() again = %+v with %d members, want voter %x of 2", again, len(all), self.ID)
	}
	if err := c.Promote(ctx, self.ID); err != nil {
		t.Fatalf("Promote() of a voter error = %v", err)
	}

	both, err := New([]string{cp1.clientURL, cp2.clientURL}, pki)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = both.Close() })
	if err := both.CheckHealth(within(10 * time.Second)); err != nil {
		t.Fatalf("CheckHealth() of both members error = %v", err)
	}

	removed, err := c.Remove(ctx, cp2.peerURL)
	if err != nil || !removed {
		t.Fatalf("Remove() = %t, %v; want true, nil", removed, err)
	}
	if members, err = c.Members(ctx); err != nil || len(members) != 1 {
		t.Fatalf("Members() after Remove = %+v, %v; want cp1 alone", members, err)
	}

	// cp2's mirror Pod outlives its member (the Node object of a reset
	// node remains), and another Pod names an address where nothing runs:
	// Connect keeps the members' client URLs only.
	gone := fmt.Sprintf("https://127.0.0.1:%d", freePort(t))
	kube := fake.NewClientset(
		etcdPod("etcd-cp1", "kube-system", cp1.clientURL, etcdLabels),
		etcdPod("etcd-cp2", "kube-system", cp2.clientURL, etcdLabels),
		etcdPod("etcd-gone", "kube-system", gone, etcdLabels))
	connected, err := Connect(within(10*time.Second), kubefake.Wrap(kube), pki)
	if err != nil {
		t.Fatalf("Connect() error = %v", err)
	}
	t.Cleanup(func() { _ = connected.Close() })
	if got := connected.Endpoints(); !cmp.Equal(got, []string{cp1.clientURL}) {
		t.Fatalf("Connect() endpoints = %q, want cp1's %q alone", got, cp1.clientURL)
	}
	if err := connected.CheckHealth(within(10 * time.Second)); err != nil {
		t.Fatalf("CheckHealth() after Connect error = %v", err)
	}
	removed, err = c.Remove(ctx, cp2.peerURL)
	if err != nil || removed {
		t.Fatalf("Remove() again = %t, %v; want false, nil", removed, err)
	}

	// A learner that never starts never catches up.
	ghost := newTestMember(t, "cp3")
	self, _, err = c.AddLearner(ctx, ghost.name, ghost.peerURL, nil)
	if err != nil {
		t.Fatalf("AddLearner() error = %v", err)
	}
	err = c.Promote(within(2*time.Second), self.ID)
	if err == nil || !strings.Contains(err.Error(), "promote the etcd learner "+ghost.peerURL+": it never caught up with the leader") {
		t.Fatalf("Promote() of a stopped learner error = %v, want it to say it never caught up", err)
	}
	// etcd takes one learner at a time: another waits for the first's
	// promotion, and says so once.
	other := newTestMember(t, "cp4")
	waited := 0
	_, _, err = c.AddLearner(within(1500*time.Millisecond), other.name, other.peerURL, func() { waited++ })
	if err == nil || waited != 1 {
		t.Fatalf("AddLearner() beside a learner = %v, told %d times; want a timeout, told once", err, waited)
	}
	if removed, err := c.Remove(ctx, ghost.peerURL); err != nil || !removed {
		t.Fatalf("Remove() of the learner = %t, %v; want true, nil", removed, err)
	}
}
