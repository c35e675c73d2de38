//go:build e2e

package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	bootstraputil "k8s.io/cluster-bootstrap/token/util"

	"github.com/kadm-project/kadm/test/e2e/framework"
)

// BenchmarkInit measures a whole `init` on fresh real-kubelet hosts, kadm and
// upstream kubeadm v1.37.2 in turn from the same configuration file, kadm
// first in even rounds and kubeadm first in odd ones, so that neither always
// meets a machine warmed by the other. Only kadm's init runs under the
// benchmark timer. Reported: the median wall time of each, process start to
// the end of init (both end once the control plane is up and the addons
// are applied), their ratio, and, from kadm's JSON events, the median time
// of each of its phases.
func BenchmarkInit(b *testing.B) {
	framework.RequireRoot(b)
	if suite.kadmErr != nil {
		b.Fatalf("kadm did not build: %v", suite.kadmErr)
	}
	reserveNodes(b, 1, 0)
	ctx, cancel := context.WithTimeout(b.Context(), 30*time.Minute)
	defer cancel()
	var kadm, kubeadm []time.Duration
	phases := map[string][]time.Duration{}
	round := 0
	for b.Loop() {
		b.StopTimer()
		tools := []string{"kadm", "kubeadm"}
		if round%2 == 1 {
			slices.Reverse(tools)
		}
		for _, tool := range tools {
			wall, events := benchInitOnce(b, ctx, fmt.Sprintf("bench-init-%s-%d", tool, round), tool)
			if tool == "kadm" {
				kadm = append(kadm, wall)
				for phase, d := range events {
					phases[phase] = append(phases[phase], d)
				}
			} else {
				kubeadm = append(kubeadm, wall)
			}
		}
		round++
		b.StartTimer()
	}
	b.StopTimer()
	reportPair(b, "init", kadm, kubeadm)
	logPhases(b, "kadm init", phases)
}

// logPhases logs the median time of each of a command's phases over the
// benchmark's runs.
func logPhases(b *testing.B, what string, phases map[string][]time.Duration) {
	b.Helper()
	var lines []string
	for phase, ds := range phases {
		lines = append(lines, fmt.Sprintf("%-48s %6.3fs", phase, median(ds).Seconds()))
	}
	slices.Sort(lines)
	b.Logf("%s, median time per phase (JSON events; a parent phase includes its children):\n%s", what, strings.Join(lines, "\n"))
}

// benchInitOnce inits a fresh host with tool and returns the wall time and,
// for kadm (run with -o json), each top-level or nested phase's duration.
func benchInitOnce(b *testing.B, ctx context.Context, name, tool string) (time.Duration, map[string]time.Duration) {
	b.Helper()
	h, destroy := benchHost(b, ctx, name, "")
	defer destroy()
	token, err := bootstraputil.GenerateBootstrapToken()
	if err != nil {
		b.Fatal(err)
	}
	path := h.Dir + "/init.yaml"
	if err := os.WriteFile(path, []byte(initConfig(h, token)), 0o600); err != nil {
		b.Fatal(err)
	}
	args := []string{"init", "--config", path}
	if checks, _ := framework.PreflightIgnores(); len(checks) > 0 {
		args = append(args, "--ignore-preflight-errors="+strings.Join(checks, ","))
	}
	if tool == "kadm" {
		args = append(args, "-o", "json")
	}
	cmd := h.Command(ctx, tool, args...)
	start := time.Now()
	if tool == "kadm" {
		b.StartTimer()
	}
	out, err := cmd.CombinedOutput()
	if tool == "kadm" {
		b.StopTimer()
	}
	wall := time.Since(start)
	if err != nil {
		h.DumpLogs(b)
		b.Fatalf("on host %s: %s %s: %v\n%s", h.Name, tool, strings.Join(args, " "), err, out)
	}
	if tool != "kadm" {
		return wall, nil
	}
	return wall, phaseDurations(b, out)
}

// phaseDurations reads the "end" events of kadm's -o json output.
func phaseDurations(b *testing.B, out []byte) map[string]time.Duration {
	b.Helper()
	d := map[string]time.Duration{}
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	sc.Buffer(make([]byte, 0, 1<<16), 1<<22)
	for sc.Scan() {
		var e struct {
			Event, Phase, Result string
			DurationSeconds      float64
		}
		if json.Unmarshal(sc.Bytes(), &e) != nil || e.Event != "end" || e.Result != "success" {
			continue
		}
		d[e.Phase] = time.Duration(e.DurationSeconds * float64(time.Second))
	}
	return d
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// reportPair reports the medians of kadm's and kubeadm's runs of what and
// their ratio, and logs every run.
func reportPair(b *testing.B, what string, kadm, kubeadm []time.Duration) {
	b.Helper()
	b.Logf("%s: kadm %v; kubeadm %v", what, kadm, kubeadm)
	k, u := median(kadm), median(kubeadm)
	b.ReportMetric(k.Seconds(), "kadm-wall-s/"+what)
	b.ReportMetric(u.Seconds(), "kubeadm-wall-s/"+what)
	if u > 0 {
		b.ReportMetric(k.Seconds()/u.Seconds(), "kadm/kubeadm-wall")
	}
}
