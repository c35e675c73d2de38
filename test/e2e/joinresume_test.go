//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kadm-project/kadm/test/e2e/framework"
)

// apiServerDelay is how late the API server appears to a joining worker.
const apiServerDelay = 10 * time.Second

// testJoinLateAPIServer cuts the control plane off the lab (its link at the
// router down), starts a join,
// and connects the control plane again apiServerDelay after the join
// started: join must keep trying, say which address it cannot reach, and
// complete. It disturbs every client of the cluster, so it runs alone.
func testJoinLateAPIServer(t *testing.T, ctx context.Context, c *joinCluster) {
	w := framework.NewHost(t, suite.lab, "join-late")
	link := func(connected bool) error {
		err := suite.lab.SetConnected(ctx, c.cp, connected)
		if err != nil {
			t.Errorf("connect %s: %t: %v", c.cp.Name, connected, err)
		}
		return err
	}
	if link(false) != nil {
		t.FailNow()
	}
	connected := false
	t.Cleanup(func() {
		if !connected {
			_ = link(true)
		}
	})

	args := append([]string{"join", c.endpoint, "--token", c.token, "--discovery-token-ca-cert-hash", c.hash}, c.preflight...)
	r, err := startKadm(ctx, w, args...)
	if err != nil {
		t.Fatal(err)
	}
	// The delay is the scenario, not a wait for a condition: the API server
	// appears this late whatever join does meanwhile.
	late := time.NewTimer(apiServerDelay)
	defer late.Stop()
	select {
	case <-late.C:
	case <-r.done:
	case <-ctx.Done():
	}
	if r.Exited() {
		out, elapsed, err := r.Wait(ctx, time.Second)
		t.Fatalf("kadm join ended after %s, before the API server appeared (%v):\n%s", elapsed.Round(time.Millisecond), err, out)
	}
	if link(true) != nil {
		t.FailNow()
	}
	connected = true
	out, elapsed, err := r.Wait(ctx, 3*time.Minute)
	t.Logf("kadm %s (%s, %v):\n%s", strings.Join(args, " "), elapsed.Round(time.Millisecond), err, out)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(strings.Split(out, "\n"), func(l string) bool { return saysUnreachable(l, c.cp.IP.String()) }) {
		t.Errorf("no line says that %s cannot be reached", c.cp.IP)
	}
	if !strings.Contains(out, joinedMessage) {
		t.Errorf("the output lacks %q", joinedMessage)
	}
	waitReadyz(t, ctx, c.cp)
	checkWorker(t, ctx, c.cp, w, c.client, c.id)
}

// saysUnreachable tells a line that reports that addr did not answer.
func saysUnreachable(line, addr string) bool {
	l := strings.ToLower(line)
	if !strings.Contains(l, addr) {
		return false
	}
	for _, s := range []string{"unreachable", "unable to reach", "no route", "refused", "timeout", "timed out", "retry", "retrying", "connect", "not reach"} {
		if strings.Contains(l, s) {
			return true
		}
	}
	return false
}

// kubeletHealthTimeout bounds the wait for the kubelet's /healthz in the
// rerun test, so the injected failure surfaces in seconds instead of after the
// default 4 minutes; a started kubelet answers well within it.
const kubeletHealthTimeout = 10 * time.Second

// testJoinRerunAfterFailure stops the worker's kubelet and makes the init
// system refuse to start it again (systemctl start and restart fail), so the
// join fails in kubelet-wait-bootstrap once its wait for the kubelet times
// out; then it reruns the same join command with the init system working
// again: it must complete without a reset.
func testJoinRerunAfterFailure(t *testing.T, ctx context.Context, c *joinCluster) {
	w := framework.NewHost(t, suite.lab, "join-rerun")
	mustRun(t, ctx, w, "systemctl", "stop", "kubelet")
	systemctl := filepath.Join(w.BinDir(), "systemctl")
	failing := "#!/bin/sh\ncase \"$1\" in start|restart)\n\techo \"systemctl $*: failure injected by the kadm e2e test\" >&2\n\texit 1;;\nesac\nexec '" +
		suite.lab.Init + "' systemctl \"$@\"\n"
	if err := os.Remove(systemctl); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(systemctl, []byte(failing), 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := w.Dir + "/join.yaml"
	writeFile(t, cfg, fmt.Sprintf(`apiVersion: kubeadm.k8s.io/v1beta4
kind: JoinConfiguration
discovery:
  bootstrapToken:
    apiServerEndpoint: %q
    token: %q
    caCertHashes:
    - %q
timeouts:
  kubeletHealthCheck: %s
`, c.endpoint, c.token, c.hash, kubeletHealthTimeout))

	args := []string{"join", "--config", cfg}
	out, _, err := runKadm(t, ctx, w, 2*kubeletHealthTimeout+time.Minute, append(args, c.preflight...)...)
	if err == nil {
		t.Fatalf("kadm join succeeded although the kubelet could not be started")
	}
	if !strings.Contains(out, "error execution phase kubelet-wait-bootstrap") {
		t.Errorf("the failure is not reported in kubelet-wait-bootstrap")
	}
	if err := os.Remove(systemctl); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(suite.lab.Init, systemctl); err != nil {
		t.Fatal(err)
	}
	c.join(t, ctx, w, args...)
	checkWorker(t, ctx, c.cp, w, c.client, c.id)
}
