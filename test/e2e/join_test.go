//go:build e2e

package e2e

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	bootstrapapi "k8s.io/cluster-bootstrap/token/api"

	"github.com/kadm-project/kadm/internal/golden"
	"github.com/kadm-project/kadm/test/e2e/framework"
)

// joinCluster is the control plane every join of TestJoin joins, and what a
// worker needs to know to join it.
type joinCluster struct {
	cp     *framework.Host
	client kubernetes.Interface
	token  string
	id     string
	// hash is the --discovery-token-ca-cert-hash of the cluster CA, computed
	// from the control plane's pki/ca.crt.
	hash     string
	endpoint string
	// clusterInfo is the kubeconfig of kube-public/cluster-info: what an
	// operator copies to a worker for file discovery.
	clusterInfo string
	// preflight are the --ignore-preflight-errors flags this machine needs.
	preflight []string
}

// TestJoin is issue #4's acceptance for workers, on one control plane
// initialised by kadm: discovery failures are fast and say why; workers
// join concurrently by token with a CA pin, by a discovery file, by HTTPS
// discovery and with the unsafe skip, each getting a client certificate
// from the controller-manager; the join phases run one by one equal a full
// join; with auto-approval off, join reports the pending CSR and completes
// once it is approved; a rerun after the kubelet failed to start completes;
// an API server that appears 10 s late is still joined.
func TestJoin(t *testing.T) {
	framework.RequireRoot(t)
	requireKadm(t)
	t.Parallel()
	reserveNodes(t, 1, 7)
	ctx := testContext(t, 15*time.Minute)
	c := initJoinCluster(t, ctx, "join-cp")

	var pinState, phaseState []string
	t.Run("concurrently", func(t *testing.T) {
		t.Run("discovery fails fast and says why", func(t *testing.T) {
			t.Parallel()
			testJoinFailures(t, ctx, c)
		})
		t.Run("token with CA pin", func(t *testing.T) {
			t.Parallel()
			w := framework.NewHost(t, suite.lab, "join-pin")
			out := c.join(t, ctx, w, "join", c.endpoint, "--token", c.token, "--discovery-token-ca-cert-hash", c.hash)
			if i := slices.IndexFunc(strings.Split(out, "\n"), unsafeWarning); i >= 0 {
				t.Errorf("a join with a CA pin warns that the CA is not verified: %q", strings.Split(out, "\n")[i])
			}
			checkWorker(t, ctx, c.cp, w, c.client, c.id)
			pinState = workerState(t, w)
		})
		t.Run("file discovery", func(t *testing.T) {
			t.Parallel()
			w := framework.NewHost(t, suite.lab, "join-file")
			path := w.Dir + "/cluster-info.conf"
			writeFile(t, path, c.clusterInfo)
			c.join(t, ctx, w, "join", "--discovery-file", path, "--tls-bootstrap-token", c.token)
			checkWorker(t, ctx, c.cp, w, c.client, c.id)
		})
		t.Run("HTTPS discovery", func(t *testing.T) {
			t.Parallel()
			w := framework.NewHost(t, suite.lab, "join-https")
			srv := serveDiscoveryFile(t, w, []byte(c.clusterInfo))
			c.join(t, ctx, w, "join", "--discovery-file", srv.URL, "--tls-bootstrap-token", c.token)
			if srv.Requests.Load() == 0 {
				t.Errorf("the join never fetched %s", srv.URL)
			}
			checkWorker(t, ctx, c.cp, w, c.client, c.id)
		})
		t.Run("unsafe skip joins and warns", func(t *testing.T) {
			t.Parallel()
			w := framework.NewHost(t, suite.lab, "join-unsafe")
			out := c.join(t, ctx, w, "join", c.endpoint, "--token", c.token, "--discovery-token-unsafe-skip-ca-verification")
			if !slices.ContainsFunc(strings.Split(out, "\n"), unsafeWarning) {
				t.Errorf("no warning that the CA is not verified (a line with WARNING that mentions the CA, the CA hash or the unsafe flag)")
			}
			checkWorker(t, ctx, c.cp, w, c.client, c.id)
		})
		t.Run("phases one by one", func(t *testing.T) {
			t.Parallel()
			w := framework.NewHost(t, suite.lab, "join-phases")
			discovery := []string{c.endpoint, "--token", c.token, "--discovery-token-ca-cert-hash", c.hash}
			c.join(t, ctx, w, append([]string{"join", "phase", "preflight"}, discovery...)...)
			c.run(t, ctx, w, append([]string{"join", "phase", "kubelet-start"}, discovery...)...)
			// As kubeadm v1.37's, the phase that waits for the TLS
			// bootstrap takes no discovery flags.
			c.run(t, ctx, w, "join", "phase", "kubelet-wait-bootstrap")
			checkWorker(t, ctx, c.cp, w, c.client, c.id)
			phaseState = workerState(t, w)
		})
		t.Run("a rerun after the kubelet failed to start completes", func(t *testing.T) {
			t.Parallel()
			testJoinRerunAfterFailure(t, ctx, c)
		})
	})
	if pinState != nil && phaseState != nil {
		t.Run("the phases one by one leave what a full join leaves", func(t *testing.T) {
			want, got := strings.Join(pinState, "\n")+"\n", strings.Join(phaseState, "\n")+"\n"
			if got != want {
				t.Errorf("the worker joined phase by phase differs from the one joined at once (-full +phases):\n%s", golden.Diff("full join", want, got))
			}
		})
	}

	t.Run("with auto-approval off, join reports the pending CSR and completes once it is approved", func(t *testing.T) {
		testJoinPendingCSR(t, ctx, c)
	})
	t.Run("an API server that appears 10 s late is still joined", func(t *testing.T) { testJoinLateAPIServer(t, ctx, c) })
}

// initJoinCluster inits the control plane with kadm and waits until
// workers can join it.
func initJoinCluster(t *testing.T, ctx context.Context, name string) *joinCluster {
	t.Helper()
	cp := framework.NewHost(t, suite.lab, name)
	token, id, _ := newToken(t)
	preflight := preflightFlags(t)
	args := append([]string{"init", "--apiserver-advertise-address", cp.IP.String(), "--token", token,
		"--kubernetes-version", framework.KubernetesVersion}, preflight...)
	mustRun(t, ctx, cp, "kadm", args...)
	waitReadyz(t, ctx, cp)
	client := adminClient(t, cp)
	waitNode(t, ctx, client, cp.Name, nodeReady)
	waitClusterInfoSigned(t, ctx, cp, token)
	cm, err := client.CoreV1().ConfigMaps(metav1.NamespacePublic).Get(ctx, bootstrapapi.ConfigMapClusterInfo, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return &joinCluster{cp: cp, client: client, token: token, id: id, hash: caCertHash(t, cp),
		endpoint: cp.IP.String() + ":6443", clusterInfo: cm.Data[bootstrapapi.KubeConfigKey], preflight: preflight}
}

// run runs kadm in w and ends the test when it fails, skipping it when the
// join code it needs has not landed.
func (c *joinCluster) run(t *testing.T, ctx context.Context, w *framework.Host, args ...string) string {
	t.Helper()
	out, _, err := runKadm(t, ctx, w, 5*time.Minute, args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// join runs a join command that runs preflight, with the preflight ignores
// this machine needs; a whole join must close with kubeadm's message.
func (c *joinCluster) join(t *testing.T, ctx context.Context, w *framework.Host, args ...string) string {
	t.Helper()
	out := c.run(t, ctx, w, slices.Concat(args, c.preflight)...)
	if args[1] != "phase" && !strings.Contains(out, joinedMessage) {
		t.Errorf("the output lacks %q", joinedMessage)
	}
	return out
}

// unsafeWarning tells the line that warns that discovery trusts the CA
// without verifying it; preflight's "[WARNING Check]" lines are not it.
func unsafeWarning(line string) bool {
	l := strings.ToLower(line)
	if !strings.Contains(l, "warning") || strings.Contains(line, "[WARNING ") {
		return false
	}
	return strings.Contains(line, " CA ") || strings.Contains(l, "ca-cert-hash") || strings.Contains(l, "unsafe")
}
