//go:build e2e

package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	bootstrapapi "k8s.io/cluster-bootstrap/token/api"
	"k8s.io/cluster-bootstrap/token/jws"
	bootstraputil "k8s.io/cluster-bootstrap/token/util"

	"github.com/kadm-project/kadm/test/e2e/framework"
)

// The control plane's API server audits every request at Metadata level to
// this log, so the benchmark can count what a join asks of it.
const (
	auditPolicyPath = "/etc/kubernetes/audit/policy.yaml"
	auditLogDir     = "/etc/kubernetes/audit/log"
	auditLogPath    = auditLogDir + "/audit.log"
	auditPolicy     = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
- level: Metadata
`
)

// benchJoin is one measured join: who ran it, from where, with which token,
// and what it cost.
type benchJoin struct {
	tool    string
	tokenID string
	ip      string
	start   time.Time
	end     time.Time
	wall    time.Duration
	// cpu is user+system time of the join process and of the children it
	// waited for (nsenter, the joiner, its systemctl calls), from wait4's
	// rusage. The kubelet runs as a daemon outside that tree and the
	// controller-manager on the control plane, so neither is in it.
	cpu time.Duration
	// phases are kadm's phase times from its -o json events.
	phases map[string]time.Duration
	// requests counts the audit log's ResponseComplete events of the join:
	// those made as its bootstrap token, and those sent from its host
	// during the join by anything but the kubelet, whatever the user (the
	// anonymous discovery reads) or user agent. kubelet counts those among
	// them made by the kubelet with the bootstrap token for its
	// TLS bootstrap. byAgent is the narrower count that trusts the user
	// agent to name the tool instead of the source address.
	requests int
	kubelet  int
	byAgent  int
	// seen lists every completed request from the join's host during the
	// join, counted or not, so the log shows what the filter kept.
	seen []string
}

// BenchmarkJoin measures issue #4's "Speed" figures on one control plane
// inited by kadm with an audited API server: per iteration, a kadm worker
// join with token and CA pin on a fresh host, then an upstream kubeadm
// v1.37.2 join on another fresh host for comparison, each with its own
// bootstrap token so the audit log tells their requests apart. Hosts are
// torn down after their join (there is no reset yet). Only the kadm join
// runs under the benchmark timer.
//
// Reported: the median wall time of a join from process start to its end
// (both wait for the TLS bootstrap, so kubelet.conf is usable then); the
// median CPU time of the join process tree, a proxy for kadm's own share
// that excludes the kubelet's and the controller-manager's work; and the
// median number of API requests per join, counted from the audit log (see
// benchJoin.requests), with and without the kubelet's TLS
// bootstrap requests, and their ratio for kadm over kubeadm.
func BenchmarkJoin(b *testing.B) {
	framework.RequireRoot(b)
	reserveNodes(b, 1, 1)
	if suite.kadmErr != nil {
		b.Fatalf("kadm did not build: %v", suite.kadmErr)
	}
	ctx, cancel := context.WithTimeout(b.Context(), 30*time.Minute)
	defer cancel()
	cp, client, hash := initBenchCluster(b, ctx, "bench-cp", true)
	endpoint := cp.IP.String() + ":6443"
	checks, _ := framework.PreflightIgnores()
	var preflight []string
	if len(checks) > 0 {
		preflight = []string{"--ignore-preflight-errors=" + strings.Join(checks, ",")}
	}

	var kadmJoins, kubeadmJoins []*benchJoin
	i := 0
	for b.Loop() {
		b.StopTimer()
		kadmToken := benchToken(b, ctx, client)
		kubeadmToken := benchToken(b, ctx, client)
		waitSigned(b, ctx, client, kadmToken, kubeadmToken)

		args := slices.Concat([]string{"join", endpoint, "--token", kadmToken, "--discovery-token-ca-cert-hash", hash, "-o", "json"}, preflight)
		kadmJoins = append(kadmJoins, benchJoinOnce(b, ctx, fmt.Sprintf("bench-kadm-%d", i), "kadm", kadmToken, args, true))
		// Both run the same preflight checks, with the same ignores.
		args = slices.Concat([]string{"join", endpoint, "--token", kubeadmToken, "--discovery-token-ca-cert-hash", hash}, preflight)
		kubeadmJoins = append(kubeadmJoins, benchJoinOnce(b, ctx, fmt.Sprintf("bench-kubeadm-%d", i), "kubeadm", kubeadmToken, args, false))
		i++
		// b.Loop needs the timer running when it is called.
		b.StartTimer()
	}
	b.StopTimer()

	phases := map[string][]time.Duration{}
	for _, j := range kadmJoins {
		for phase, d := range j.phases {
			phases[phase] = append(phases[phase], d)
		}
	}
	logPhases(b, "kadm join", phases)
	countAuditRequests(b, cp, slices.Concat(kadmJoins, kubeadmJoins))
	for _, j := range slices.Concat(kadmJoins, kubeadmJoins) {
		b.Logf("%s join from %s: wall %s, cpu %s, requests %d (kubelet %d; by token or user agent %q only: %d); requests from the host during the join or as its token (+ counted):\n%s",
			j.tool, j.ip, j.wall.Round(time.Millisecond), j.cpu.Round(time.Millisecond), j.requests, j.kubelet, j.tool, j.byAgent, strings.Join(j.seen, "\n"))
	}
	med := func(js []*benchJoin, f func(*benchJoin) float64) float64 {
		v := make([]float64, 0, len(js))
		for _, j := range js {
			v = append(v, f(j))
		}
		slices.Sort(v)
		if len(v)%2 == 1 {
			return v[len(v)/2]
		}
		return (v[len(v)/2-1] + v[len(v)/2]) / 2
	}
	wall := func(j *benchJoin) float64 { return j.wall.Seconds() }
	cpu := func(j *benchJoin) float64 { return float64(j.cpu.Microseconds()) / 1000 }
	reqs := func(j *benchJoin) float64 { return float64(j.requests) }
	own := func(j *benchJoin) float64 { return float64(j.requests - j.kubelet) }
	b.ReportMetric(med(kadmJoins, wall), "kadm-wall-s/join")
	b.ReportMetric(med(kadmJoins, cpu), "kadm-cpu-ms/join")
	b.ReportMetric(med(kadmJoins, reqs), "kadm-api-req/join")
	b.ReportMetric(med(kadmJoins, own), "kadm-api-req-no-kubelet/join")
	b.ReportMetric(med(kubeadmJoins, wall), "kubeadm-wall-s/join")
	b.ReportMetric(med(kubeadmJoins, cpu), "kubeadm-cpu-ms/join")
	b.ReportMetric(med(kubeadmJoins, reqs), "kubeadm-api-req/join")
	b.ReportMetric(med(kubeadmJoins, own), "kubeadm-api-req-no-kubelet/join")
	if k := med(kubeadmJoins, reqs); k > 0 {
		b.ReportMetric(med(kadmJoins, reqs)/k, "kadm/kubeadm-api-req")
	}
	if k := med(kubeadmJoins, own); k > 0 {
		b.ReportMetric(med(kadmJoins, own)/k, "kadm/kubeadm-api-req-no-kubelet")
	}
}

// initBenchCluster inits a control plane named name with kadm, whose API
// server writes an audit log when audit is set, and returns it once workers
// can join it, with an admin client and the CA pin.
func initBenchCluster(b *testing.B, ctx context.Context, name string, audit bool) (*framework.Host, kubernetes.Interface, string) {
	b.Helper()
	cp := framework.NewHost(b, suite.lab, name)
	token, err := bootstraputil.GenerateBootstrapToken()
	if err != nil {
		b.Fatal(err)
	}
	config := initConfig(cp, token)
	if audit {
		config += auditConfig(b, cp)
	}
	path := cp.Dir + "/init.yaml"
	if err := os.WriteFile(path, []byte(config), 0o600); err != nil {
		b.Fatal(err)
	}
	args := []string{"init", "--config", path}
	if checks, _ := framework.PreflightIgnores(); len(checks) > 0 {
		args = append(args, "--ignore-preflight-errors="+strings.Join(checks, ","))
	}
	if out, err := cp.Run(ctx, "kadm", args...); err != nil {
		b.Fatal(err)
	} else {
		b.Logf("kadm %s:\n%s", strings.Join(args, " "), out)
	}
	client := adminClient(b, cp)
	err = framework.WaitFor(ctx, 3*time.Minute, time.Second, "node "+cp.Name+" Ready", func(ctx context.Context) error {
		node, err := client.CoreV1().Nodes().Get(ctx, cp.Name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		return nodeReady(node)
	})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := os.Stat(cp.Path(auditLogPath)); audit && err != nil {
		b.Fatalf("the API server writes no audit log: %v", err)
	}
	return cp, client, caCertHash(b, cp)
}

// auditConfig is the ClusterConfiguration part that makes cp's API server
// audit every request at Metadata level to auditLogPath, with the policy
// file written on cp.
func auditConfig(b *testing.B, cp *framework.Host) string {
	b.Helper()
	if err := os.MkdirAll(cp.Path(auditLogDir), 0o700); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(cp.Path(auditPolicyPath), []byte(auditPolicy), 0o600); err != nil {
		b.Fatal(err)
	}
	return fmt.Sprintf(`apiServer:
  extraArgs:
  - name: audit-policy-file
    value: %[1]s
  - name: audit-log-path
    value: %[2]s
  extraVolumes:
  - name: audit-policy
    hostPath: %[1]s
    mountPath: %[1]s
    readOnly: true
    pathType: File
  - name: audit-log
    hostPath: %[3]s
    mountPath: %[3]s
    pathType: DirectoryOrCreate
`, auditPolicyPath, auditLogPath, auditLogDir)
}

// benchToken creates a bootstrap token for joining nodes, as `token
// create` would: its own token, so the audit log attributes its requests to
// one join.
func benchToken(b *testing.B, ctx context.Context, client kubernetes.Interface) string {
	b.Helper()
	token, err := bootstraputil.GenerateBootstrapToken()
	if err != nil {
		b.Fatal(err)
	}
	id, secret, _ := strings.Cut(token, ".")
	s := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: bootstraputil.BootstrapTokenSecretName(id), Namespace: metav1.NamespaceSystem},
		Type:       bootstrapapi.SecretTypeBootstrapToken,
		StringData: map[string]string{
			bootstrapapi.BootstrapTokenIDKey:               id,
			bootstrapapi.BootstrapTokenSecretKey:           secret,
			bootstrapapi.BootstrapTokenExpirationKey:       time.Now().Add(time.Hour).UTC().Format(time.RFC3339),
			bootstrapapi.BootstrapTokenUsageAuthentication: "true",
			bootstrapapi.BootstrapTokenUsageSigningKey:     "true",
			bootstrapapi.BootstrapTokenExtraGroupsKey:      "system:bootstrappers:kubeadm:default-node-token",
		},
	}
	if _, err := client.CoreV1().Secrets(metav1.NamespaceSystem).Create(ctx, s, metav1.CreateOptions{}); err != nil {
		b.Fatalf("create bootstrap token %s: %v", id, err)
	}
	return token
}

// waitSigned waits until the controller-manager has signed cluster-info for
// every token.
func waitSigned(b *testing.B, ctx context.Context, client kubernetes.Interface, tokens ...string) {
	b.Helper()
	err := framework.WaitFor(ctx, 2*time.Minute, 100*time.Millisecond, "cluster-info signed for the new tokens", func(ctx context.Context) error {
		cm, err := client.CoreV1().ConfigMaps(metav1.NamespacePublic).Get(ctx, bootstrapapi.ConfigMapClusterInfo, metav1.GetOptions{})
		if err != nil {
			return err
		}
		for _, token := range tokens {
			id, secret, _ := strings.Cut(token, ".")
			sig, ok := cm.Data[bootstrapapi.JWSSignatureKeyPrefix+id]
			if !ok || !jws.DetachedTokenIsValid(sig, cm.Data[bootstrapapi.KubeConfigKey], id, secret) {
				return fmt.Errorf("no valid signature for token %s yet", id)
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// benchJoinOnce runs one join on a fresh host named name and tears the host
// down afterwards. With timed set, the join runs under the benchmark timer.
func benchJoinOnce(b *testing.B, ctx context.Context, name, tool, token string, args []string, timed bool) *benchJoin {
	b.Helper()
	w, destroy := benchHost(b, ctx, name, "")
	cmd := w.Command(ctx, tool, args...)
	id, _, _ := strings.Cut(token, ".")
	j := &benchJoin{tool: tool, tokenID: id, ip: w.IP.String(), start: time.Now()}
	if timed {
		b.StartTimer()
	}
	out, err := cmd.CombinedOutput()
	if timed {
		b.StopTimer()
	}
	j.end = time.Now()
	j.wall = j.end.Sub(j.start)
	if err != nil {
		w.DumpLogs(b)
		b.Fatalf("on host %s: %s %s: %v\n%s", w.Name, tool, strings.Join(args, " "), err, out)
	}
	j.cpu = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	if !strings.Contains(string(out), joinedMessage) {
		b.Errorf("%s join on %s: the output lacks %q:\n%s", tool, w.Name, joinedMessage, out)
	}
	if fi, err := os.Stat(w.Path("/etc/kubernetes/kubelet.conf")); err != nil || fi.Size() == 0 {
		b.Errorf("%s join on %s ended without a kubelet.conf (%v)", tool, w.Name, err)
	}
	destroy()
	if tool == "kadm" {
		j.phases = phaseDurations(b, out)
	}
	return j
}

// benchHost creates a host for one measured run, with the stand-in kubelet
// when standin names it; destroy tears it down, at once so that hosts do not
// pile up over the iterations, and at the latest when the benchmark ends.
func benchHost(b *testing.B, ctx context.Context, name, standin string) (h *framework.Host, destroy func()) {
	b.Helper()
	var err error
	if standin != "" {
		h, err = suite.lab.CreateStandinHost(ctx, name, standin)
	} else {
		h, err = suite.lab.CreateHost(ctx, name)
	}
	if err != nil {
		b.Fatal(err)
	}
	destroyed := false
	destroy = func() {
		if destroyed {
			return
		}
		destroyed = true
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		if err := h.Destroy(dctx); err != nil {
			b.Errorf("tear down host %s: %v", h.Name, err)
		}
	}
	b.Cleanup(destroy)
	return h, destroy
}

// auditEvent is the part of an audit.k8s.io/v1 Event the count needs.
type auditEvent struct {
	Stage string `json:"stage"`
	User  struct {
		Username string `json:"username"`
	} `json:"user"`
	Verb                     string    `json:"verb"`
	RequestURI               string    `json:"requestURI"`
	UserAgent                string    `json:"userAgent"`
	SourceIPs                []string  `json:"sourceIPs"`
	RequestReceivedTimestamp time.Time `json:"requestReceivedTimestamp"`
}

// countAuditRequests fills each join's request counts from the control
// plane's audit log, as benchJoin describes. Hosts are new for each join
// and joins run one after another, so the source address and the time
// window tell the joins apart; the bootstrap token does too.
func countAuditRequests(b *testing.B, cp *framework.Host, joins []*benchJoin) {
	b.Helper()
	f, err := os.Open(cp.Path(auditLogPath))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), 16<<20)
	for sc.Scan() {
		var e auditEvent
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			b.Fatalf("%s: %v", filepath.Base(auditLogPath), err)
		}
		if e.Stage != "ResponseComplete" {
			continue
		}
		for _, j := range joins {
			byToken := e.User.Username == "system:bootstrap:"+j.tokenID
			during := slices.Contains(e.SourceIPs, j.ip) &&
				!e.RequestReceivedTimestamp.Before(j.start) && !e.RequestReceivedTimestamp.After(j.end)
			kubelet := strings.HasPrefix(e.UserAgent, "kubelet")
			counted := byToken || during && !kubelet
			if byToken || during && strings.HasPrefix(e.UserAgent, j.tool) {
				j.byAgent++
			}
			if byToken || during {
				mark := " "
				if counted {
					mark = "+"
				}
				j.seen = append(j.seen, fmt.Sprintf("%s %s %s as %s by %q", mark, e.Verb, e.RequestURI, e.User.Username, e.UserAgent))
			}
			if !counted {
				continue
			}
			j.requests++
			if kubelet {
				j.kubelet++
			}
		}
	}
	if err := sc.Err(); err != nil {
		b.Fatal(err)
	}
}
