//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kadm-project/kadm/test/e2e/framework"
)

// Workers of BenchmarkJoinConcurrent: the real-kubelet batch is capped by the
// machine's inotify budget (every host's daemons share root's
// fs.inotify.max_user_instances), the stand-in batch by nothing here.
const (
	concurrentRealWorkers    = 20
	concurrentStandinWorkers = 100
)

// BenchmarkJoinConcurrent joins workers to one control plane inited by kadm
// all at once: first as many real-kubelet workers as the machine's inotify
// budget allows (up to 20), then 100 workers whose kubelet is the TLS
// bootstrap stand-in (test/e2e/bootstrapkubelet: real kubelets and
// containerds for a hundred nodes do not fit on the machine), each batch
// once with kadm and once with upstream kubeadm v1.37.2 on fresh hosts.
// Reported per batch: how many joins succeeded, the wall time from the
// first start to the last end, and the control-plane host's peak memory
// (the Pss of its processes, sampled every 250 ms).
func BenchmarkJoinConcurrent(b *testing.B) {
	framework.RequireRoot(b)
	if suite.kadmErr != nil {
		b.Fatalf("kadm did not build: %v", suite.kadmErr)
	}
	ctx, cancel := context.WithTimeout(b.Context(), 60*time.Minute)
	defer cancel()
	standin := filepath.Join(b.TempDir(), "bootstrapkubelet")
	if err := framework.GoBuild(ctx, "./test/e2e/bootstrapkubelet", standin); err != nil {
		b.Fatal(err)
	}
	real := min(concurrentRealWorkers, suite.budget.Workers(1))
	reserveNodes(b, 1, real)
	cp, client, hash := initBenchCluster(b, ctx, "conc-cp", false)
	endpoint := cp.IP.String() + ":6443"
	for b.Loop() {
		b.StopTimer()
		for _, batch := range []struct {
			name    string
			workers int
			standin string
		}{{fmt.Sprintf("%d-real", real), real, ""}, {fmt.Sprintf("%d-standin", concurrentStandinWorkers), concurrentStandinWorkers, standin}} {
			for _, tool := range []string{"kadm", "kubeadm"} {
				token := benchToken(b, ctx, client)
				waitSigned(b, ctx, client, token)
				r := joinBatch(b, ctx, cp, fmt.Sprintf("c%s-%s", tool[:2], batch.name), tool, batch.workers, batch.standin,
					[]string{"join", endpoint, "--token", token, "--discovery-token-ca-cert-hash", hash})
				b.Logf("%s, %s: %d of %d joined in %s; control plane peak memory %d MiB", batch.name, tool, r.ok, batch.workers,
					r.wall.Round(time.Millisecond), r.cpPeak>>20)
				for _, f := range r.failures {
					b.Logf("%s, %s: %s", batch.name, tool, f)
				}
				b.ReportMetric(float64(r.ok), tool+"-joined/"+batch.name)
				b.ReportMetric(r.wall.Seconds(), tool+"-wall-s/"+batch.name)
				b.ReportMetric(float64(r.cpPeak>>20), tool+"-cp-peak-MiB/"+batch.name)
			}
		}
		b.StartTimer()
	}
}

type batchResult struct {
	ok       int
	wall     time.Duration
	cpPeak   int64
	failures []string
}

// joinBatch creates n hosts (with the stand-in kubelet when standin is set),
// starts args with tool on all of them at once and waits for every join to
// end; the hosts are torn down afterwards.
func joinBatch(b *testing.B, ctx context.Context, cp *framework.Host, prefix, tool string, n int, standin string, args []string) batchResult {
	b.Helper()
	if standin != "" {
		// No container runtime on a stand-in host: preflight's runtime
		// checks fail there by design.
		args = append(args, "--ignore-preflight-errors=all")
	} else if checks, _ := framework.PreflightIgnores(); len(checks) > 0 {
		args = append(args, "--ignore-preflight-errors="+strings.Join(checks, ","))
	}
	hosts := make([]*framework.Host, n)
	destroys := make([]func(), n)
	for i := range hosts {
		hosts[i], destroys[i] = benchHost(b, ctx, fmt.Sprintf("%s-%d", prefix, i), standin)
	}
	stopMeter := cp.PeakMemory(250 * time.Millisecond)
	var mu sync.Mutex
	var r batchResult
	var wg sync.WaitGroup
	start := time.Now()
	for _, h := range hosts {
		wg.Go(func() {
			jctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
			defer cancel()
			out, err := h.Command(jctx, tool, args...).CombinedOutput()
			mu.Lock()
			defer mu.Unlock()
			if err == nil && strings.Contains(string(out), joinedMessage) {
				r.ok++
				return
			}
			lines := strings.Split(strings.TrimSpace(string(out)), "\n")
			r.failures = append(r.failures, fmt.Sprintf("%s: %v: %s", h.Name, err, lines[len(lines)-1]))
		})
	}
	wg.Wait()
	r.wall = time.Since(start)
	peak, err := stopMeter()
	if err != nil {
		b.Logf("control plane memory: %v", err)
	}
	r.cpPeak = peak
	for _, destroy := range destroys {
		destroy()
	}
	return r
}
