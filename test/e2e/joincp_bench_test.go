//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kadm-project/kadm/test/e2e/framework"
)

// cpJoinedMessage opens kubeadm's closing message for a control-plane node.
const cpJoinedMessage = "This node has joined the cluster and a new control plane instance was created"

// BenchmarkJoinControlPlane measures a control-plane join with stacked etcd
// on one control plane inited by kadm with --upload-certs: per iteration, a
// kadm join of a fresh host, then an upstream kubeadm v1.37.2 join of
// another fresh host for comparison. After each join the host is reset with
// `kadm reset --force`, which removes its etcd member, so every join meets
// the same one-member etcd cluster. Only the kadm join runs under the
// benchmark timer. Reported: the median and the best wall time of a join,
// process start to end (both end after wait-control-plane).
func BenchmarkJoinControlPlane(b *testing.B) {
	framework.RequireRoot(b)
	reserveNodes(b, 2, 0)
	if suite.kadmErr != nil {
		b.Fatalf("kadm did not build: %v", suite.kadmErr)
	}
	ctx, cancel := context.WithTimeout(b.Context(), 30*time.Minute)
	defer cancel()
	c := initControlPlaneCluster(b, ctx, "benchcp-1")
	discovery := []string{"join", c.endpoint, "--token", c.token, "--discovery-token-ca-cert-hash", c.hash,
		"--control-plane", "--certificate-key", c.certKey}

	var kadmWall, kubeadmWall []time.Duration
	phases := map[string][]time.Duration{}
	i := 0
	for b.Loop() {
		b.StopTimer()
		wall, events := benchControlPlaneJoin(b, ctx, c, fmt.Sprintf("benchcp-kadm-%d", i), "kadm",
			slices.Concat(discovery, c.preflight, []string{"-o", "json"}), true)
		kadmWall = append(kadmWall, wall)
		for phase, d := range events {
			phases[phase] = append(phases[phase], d)
		}
		wall, _ = benchControlPlaneJoin(b, ctx, c, fmt.Sprintf("benchcp-kubeadm-%d", i), "kubeadm",
			slices.Concat(discovery, c.preflight), false)
		kubeadmWall = append(kubeadmWall, wall)
		i++
		b.StartTimer()
	}
	b.StopTimer()
	b.Logf("control-plane join: kadm %v; kubeadm %v", kadmWall, kubeadmWall)
	logPhases(b, "kadm join --control-plane", phases)
	b.ReportMetric(slices.Min(kadmWall).Seconds(), "kadm-best-wall-s/join")
	b.ReportMetric(slices.Min(kubeadmWall).Seconds(), "kubeadm-best-wall-s/join")
	b.ReportMetric(median(kadmWall).Seconds(), "kadm-wall-s/join")
	b.ReportMetric(median(kubeadmWall).Seconds(), "kubeadm-wall-s/join")
	b.ReportMetric(median(kadmWall).Seconds()/median(kubeadmWall).Seconds(), "kadm/kubeadm-wall")
}

// benchControlPlaneJoin joins a fresh host as a control-plane node with
// tool, checks that it joined, resets it with kadm and tears it down, and
// returns the join's wall time and, for kadm's -o json, its phases' times.
func benchControlPlaneJoin(b *testing.B, ctx context.Context, c *cpCluster, name, tool string, args []string, timed bool) (time.Duration, map[string]time.Duration) {
	b.Helper()
	h, destroy := benchHost(b, ctx, name, "")
	cmd := h.Command(ctx, tool, args...)
	start := time.Now()
	if timed {
		b.StartTimer()
	}
	out, err := cmd.CombinedOutput()
	if timed {
		b.StopTimer()
	}
	wall := time.Since(start)
	if err != nil {
		h.DumpLogs(b)
		b.Fatalf("on host %s: %s %s: %v\n%s", h.Name, tool, strings.Join(args, " "), err, out)
	}
	if !strings.Contains(string(out), cpJoinedMessage) {
		b.Errorf("%s join on %s: the output lacks %q:\n%s", tool, h.Name, cpJoinedMessage, out)
	}
	if n := memberCount(b, ctx, c.cp, h); n != 1 {
		b.Errorf("%s join on %s: etcd has %d members with its peer URL, want 1", tool, h.Name, n)
	}
	if out, err := h.Run(ctx, "kadm", "reset", "--force"); err != nil {
		b.Fatalf("kadm reset on %s after the %s join: %v\n%s", h.Name, tool, err, out)
	}
	if n := memberCount(b, ctx, c.cp, h); n != 0 {
		b.Errorf("kadm reset on %s left its etcd member", h.Name)
	}
	destroy()
	if tool != "kadm" {
		return wall, nil
	}
	return wall, phaseDurations(b, out)
}
