//go:build e2e

package e2e

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	bootstrapapi "k8s.io/cluster-bootstrap/token/api"
	"sigs.k8s.io/yaml"

	"github.com/kadm-project/kadm/internal/golden"
	"github.com/kadm-project/kadm/test/e2e/framework"
)

// cpCluster is the first control plane of TestJoinControlPlane, made with
// --upload-certs and a controlPlaneEndpoint, and what a control-plane node
// needs to join it.
type cpCluster struct {
	joinCluster
	certKey string
}

// TestJoinControlPlane is issue #5's acceptance: on a cluster initialised by
// kadm with --upload-certs and a controlPlaneEndpoint, a wrong certificate
// key, an expired kubeadm-certs Secret and a missing controlPlaneEndpoint
// each fail with their own message and leave the host as it was, and a dry
// run changes nothing; then two hosts join as control-plane nodes (the first
// phase by phase, the second after a failure once its etcd member was
// added, and a rerun), so
// that etcd has three voting members, every API server serves /readyz with
// a certificate for its own address and the endpoint, every Node is a
// control plane, and workers join through either new API server; reset
// on a joined control-plane node removes its etcd member; then two more
// join at once, past the reset node's leftover etcd Pod.
func TestJoinControlPlane(t *testing.T) {
	framework.RequireRoot(t)
	requireKadm(t)
	t.Parallel()
	reserveNodes(t, 4, 1)
	ctx := testContext(t, 20*time.Minute)
	c := initControlPlaneCluster(t, ctx, "cpj-1")

	t.Run("refusals leave the host unchanged", func(t *testing.T) { testControlPlaneRefusals(t, ctx, c) })

	cp2 := framework.NewHost(t, suite.lab, "cpj-2")
	t.Run("a second control-plane node joins phase by phase", func(t *testing.T) {
		cfg := writeControlPlaneJoinConfig(t, c, cp2, "")
		for _, phase := range []string{"preflight", "control-plane-prepare all", "kubelet-start", "etcd-join", "kubelet-wait-bootstrap", "control-plane-join all", "wait-control-plane"} {
			c.run(t, ctx, cp2, slices.Concat([]string{"join", "phase"}, strings.Fields(phase), []string{"--config", cfg})...)
		}
	})
	cp3 := framework.NewHost(t, suite.lab, "cpj-3")
	t.Run("a join that fails after its etcd member was added, rerun, completes", func(t *testing.T) {
		testControlPlaneRerun(t, ctx, c, cp3)
	})
	if t.Failed() {
		return
	}

	hosts := []*framework.Host{c.cp, cp2, cp3}
	t.Run("etcd has three voting members, one per node", func(t *testing.T) { checkEtcdMembers(t, ctx, c.cp, hosts) })
	for _, h := range hosts {
		t.Run(h.Name+" serves readyz for its address and the endpoint", func(t *testing.T) {
			waitReadyz(t, ctx, h)
			checkServingNames(t, ctx, h, c.endpoint)
		})
		t.Run(h.Name+" is a control-plane Node", func(t *testing.T) {
			waitNode(t, ctx, c.client, h.Name, checkControlPlaneNode)
		})
	}
	for _, h := range []*framework.Host{cp2, cp3} {
		t.Run(h.Name+" has the certificates and kubeconfigs of a control-plane node", func(t *testing.T) {
			checkCertificates(t, h, controlPlaneHost{endpointIP: c.cp.IP.String(), joined: true})
			if _, err := h.ReadFile("/etc/kubernetes/bootstrap-kubelet.conf"); err == nil {
				t.Errorf("bootstrap-kubelet.conf, which holds the token, is still there")
			}
			if _, err := h.ReadFile("/etc/kubernetes/super-admin.conf"); err == nil {
				t.Errorf("super-admin.conf was written on a joined control-plane node")
			}
		})
	}
	t.Run("workers join through either new API server", func(t *testing.T) {
		t.Run("token discovery at "+cp2.Name, func(t *testing.T) {
			t.Parallel()
			w := framework.NewHost(t, suite.lab, "cpj-w2")
			c.join(t, ctx, w, "join", cp2.IP.String()+":6443", "--token", c.token, "--discovery-token-ca-cert-hash", c.hash)
			checkWorker(t, ctx, c.cp, w, c.client, c.id)
		})
		t.Run("file discovery naming "+cp3.Name, func(t *testing.T) {
			t.Parallel()
			w := framework.NewHost(t, suite.lab, "cpj-w3")
			path := w.Dir + "/cluster-info.conf"
			writeFile(t, path, strings.ReplaceAll(c.clusterInfo, c.endpoint, cp3.IP.String()+":6443"))
			c.join(t, ctx, w, "join", "--discovery-file", path, "--tls-bootstrap-token", c.token)
			checkWorker(t, ctx, c.cp, w, c.client, c.id)
			kubelet, err := w.ReadFile("/etc/kubernetes/kubelet.conf")
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(kubelet), "https://"+cp3.IP.String()+":6443") {
				t.Errorf("the worker's kubelet.conf does not talk to %s:\n%s", cp3.Name, kubelet)
			}
		})
	})
	t.Run("reset on a control-plane node leaves etcd with one member fewer and the cluster healthy", func(t *testing.T) {
		checkResetControlPlane(t, ctx, c, cp3, []*framework.Host{c.cp, cp2})
	})
	// cpj-3's Node object, and so its etcd mirror Pod, remain after the
	// reset: a stale etcd endpoint must not stop the next joins. Two join
	// at once: etcd takes one learner at a time, so one waits for the
	// other's promotion.
	t.Run("two control-plane nodes join at once while a reset node's etcd Pod remains", func(t *testing.T) {
		if _, err := c.client.CoreV1().Pods(metav1.NamespaceSystem).Get(ctx, "etcd-"+cp3.Name, metav1.GetOptions{}); err != nil {
			t.Fatalf("the etcd mirror Pod of the reset node is gone (%v): these joins would not meet a stale endpoint", err)
		}
		cp4 := framework.NewHost(t, suite.lab, "cpj-4")
		cp5 := framework.NewHost(t, suite.lab, "cpj-5")
		t.Run("joins", func(t *testing.T) {
			for _, h := range []*framework.Host{cp4, cp5} {
				t.Run(h.Name, func(t *testing.T) {
					t.Parallel()
					c.join(t, ctx, h, c.cpJoinArgs()...)
				})
			}
		})
		checkEtcdMembers(t, ctx, c.cp, []*framework.Host{c.cp, cp2, cp4, cp5})
	})
}

// checkResetControlPlane resets h, a control-plane node, and checks that
// etcd is left with the other members, all voting, and that the other API
// servers still serve the cluster.
func checkResetControlPlane(t *testing.T, ctx context.Context, c *cpCluster, h *framework.Host, others []*framework.Host) {
	t.Helper()
	out := mustRun(t, ctx, h, "kadm", "reset", "--force")
	if !strings.Contains(out, "Removed the etcd member https://"+net.JoinHostPort(h.IP.String(), "2380")) {
		t.Errorf("reset does not say that it removed the node's etcd member")
	}
	checkEtcdMembers(t, ctx, c.cp, others)
	for _, o := range others {
		waitReadyz(t, ctx, o)
	}
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "after-reset", Namespace: metav1.NamespaceDefault}}
	if _, err := c.client.CoreV1().ConfigMaps(metav1.NamespaceDefault).Create(ctx, cm, metav1.CreateOptions{}); err != nil {
		t.Errorf("the cluster takes no write after the reset: %v", err)
	}
	for _, f := range []string{"/etc/kubernetes/manifests/etcd.yaml", "/etc/kubernetes/admin.conf", "/etc/kubernetes/pki/ca.key"} {
		if _, err := h.ReadFile(f); err == nil {
			t.Errorf("reset left %s", f)
		}
	}
}

// initControlPlaneCluster inits the first control plane with kadm, with
// --upload-certs and the control-plane endpoint at its own address.
func initControlPlaneCluster(t testing.TB, ctx context.Context, name string) *cpCluster {
	t.Helper()
	cp := framework.NewHost(t, suite.lab, name)
	token, id, _ := newToken(t)
	key := randomHex(t, 32)
	endpoint := cp.IP.String() + ":6443"
	preflight := preflightFlags(t)
	args := append([]string{"init", "--apiserver-advertise-address", cp.IP.String(), "--token", token,
		"--kubernetes-version", framework.KubernetesVersion, "--control-plane-endpoint", endpoint,
		"--upload-certs", "--certificate-key", key}, preflight...)
	mustRun(t, ctx, cp, "kadm", args...)
	waitReadyz(t, ctx, cp)
	client := adminClient(t, cp)
	waitNode(t, ctx, client, cp.Name, nodeReady)
	waitClusterInfoSigned(t, ctx, cp, token)
	cm, err := client.CoreV1().ConfigMaps(metav1.NamespacePublic).Get(ctx, bootstrapapi.ConfigMapClusterInfo, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return &cpCluster{
		joinCluster: joinCluster{cp: cp, client: client, token: token, id: id, hash: caCertHash(t, cp),
			endpoint: endpoint, clusterInfo: cm.Data[bootstrapapi.KubeConfigKey], preflight: preflight},
		certKey: key,
	}
}

// cpJoinArgs is the control-plane join command init prints.
func (c *cpCluster) cpJoinArgs(extra ...string) []string {
	return slices.Concat([]string{"join", c.endpoint, "--token", c.token, "--discovery-token-ca-cert-hash", c.hash,
		"--control-plane", "--certificate-key", c.certKey}, extra)
}

// hostState lists what a join may write on a host: every file and
// directory with its mode, and each file's digest, leaving out what the
// kubelet keeps for itself.
func hostState(t *testing.T, h *framework.Host) []string {
	t.Helper()
	roots := []string{"/etc/kubernetes", "/var/lib/kubelet", "/var/lib/etcd"}
	lines, err := fileLines(h, roots...)
	if err != nil {
		t.Fatal(err)
	}
	for _, root := range roots {
		for path, digest := range fileDigests(t, h.Path(root)) {
			if p := "/" + strings.TrimPrefix(path, h.Path("/")); !kubeletOwned(p) {
				lines = append(lines, p+" "+digest)
			}
		}
	}
	slices.Sort(lines)
	return lines
}

// testControlPlaneRefusals runs the joins that must be refused on one fresh
// host, checking after each that the host and etcd's membership are as they
// were.
func testControlPlaneRefusals(t *testing.T, ctx context.Context, c *cpCluster) {
	h := framework.NewHost(t, suite.lab, "cpj-bad")
	before := hostState(t, h)
	members := len(etcdMembers(t, ctx, c.cp))
	unchanged := func(t *testing.T) {
		t.Helper()
		if got := hostState(t, h); !slices.Equal(got, before) {
			t.Errorf("the host changed (-before +after):\n%s", golden.Diff("before", strings.Join(before, "\n")+"\n", strings.Join(got, "\n")+"\n"))
		}
		if n := len(etcdMembers(t, ctx, c.cp)); n != members {
			t.Errorf("etcd has %d members, want %d as before", n, members)
		}
	}
	refused := func(t *testing.T, args []string, want ...string) {
		t.Helper()
		out, _, err := runKadm(t, ctx, h, 3*time.Minute, slices.Concat(args, c.preflight)...)
		if err == nil {
			t.Fatalf("kadm join succeeded, want a refusal")
		}
		for _, w := range want {
			if !strings.Contains(out, w) {
				t.Errorf("the output lacks %q", w)
			}
		}
		if strings.Contains(out, c.certKey) && !slices.Contains(args, c.certKey) {
			t.Errorf("the output shows the certificate key")
		}
		unchanged(t)
	}

	t.Run("a dry run changes nothing", func(t *testing.T) {
		out := c.run(t, ctx, h, slices.Concat(c.cpJoinArgs("--dry-run"), c.preflight)...)
		if !strings.Contains(out, "Would add etcd member") {
			t.Errorf("the dry run does not say it would add an etcd member")
		}
		unchanged(t)
	})
	t.Run("a wrong certificate key", func(t *testing.T) {
		args := c.cpJoinArgs()
		args[len(args)-1] = randomHex(t, 32)
		refused(t, args, "wrong certificate key")
	})
	t.Run("a missing controlPlaneEndpoint", func(t *testing.T) {
		restore := editClusterConfiguration(t, ctx, c.client, func(cfg map[string]any) { delete(cfg, "controlPlaneEndpoint") })
		defer restore()
		refused(t, c.cpJoinArgs(), "controlPlaneEndpoint")
	})
	t.Run("an expired kubeadm-certs Secret", func(t *testing.T) {
		expireCertsToken(t, ctx, c.client)
		refused(t, c.cpJoinArgs(), "upload-certs --upload-certs")
		// Upload the certificates again, as the error says, for the joins
		// that follow.
		mustRun(t, ctx, c.cp, "kadm", "init", "phase", "upload-certs", "--upload-certs", "--certificate-key", c.certKey)
	})
}

// editClusterConfiguration changes kube-system/kubeadm-config's
// ClusterConfiguration with edit and returns what puts it back.
func editClusterConfiguration(t *testing.T, ctx context.Context, client kubernetes.Interface, edit func(map[string]any)) func() {
	t.Helper()
	cms := client.CoreV1().ConfigMaps(metav1.NamespaceSystem)
	cm, err := cms.Get(ctx, "kubeadm-config", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	orig := cm.Data["ClusterConfiguration"]
	var cfg map[string]any
	if err := yaml.Unmarshal([]byte(orig), &cfg); err != nil {
		t.Fatal(err)
	}
	edit(cfg)
	changed, err := yaml.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	cm.Data["ClusterConfiguration"] = string(changed)
	if _, err := cms.Update(ctx, cm, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	return func() {
		cm, err := cms.Get(ctx, "kubeadm-config", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		cm.Data["ClusterConfiguration"] = orig
		if _, err := cms.Update(ctx, cm, metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
}

// expireCertsToken makes the bootstrap token that owns the kubeadm-certs
// Secret expire, as it does two hours after the upload.
func expireCertsToken(t *testing.T, ctx context.Context, client kubernetes.Interface) {
	t.Helper()
	secrets := client.CoreV1().Secrets(metav1.NamespaceSystem)
	certs, err := secrets.Get(ctx, "kubeadm-certs", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, ref := range certs.OwnerReferences {
		if !strings.HasPrefix(ref.Name, bootstrapapi.BootstrapTokenSecretPrefix) {
			continue
		}
		owner, err := secrets.Get(ctx, ref.Name, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		owner.Data[bootstrapapi.BootstrapTokenExpirationKey] = []byte(time.Now().Add(-time.Minute).UTC().Format(time.RFC3339))
		if _, err := secrets.Update(ctx, owner, metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Fatalf("kubeadm-certs has no bootstrap token owner (owners %v)", certs.OwnerReferences)
}

// writeControlPlaneJoinConfig writes the JoinConfiguration of a
// control-plane join of h, with the preflight ignores this machine needs
// and extra YAML, and returns its path.
func writeControlPlaneJoinConfig(t *testing.T, c *cpCluster, h *framework.Host, extra string) string {
	t.Helper()
	checks, _ := framework.PreflightIgnores()
	path := h.Dir + "/join.yaml"
	writeFile(t, path, fmt.Sprintf(`apiVersion: kubeadm.k8s.io/v1beta4
kind: JoinConfiguration
discovery:
  bootstrapToken:
    apiServerEndpoint: %q
    token: %q
    caCertHashes:
    - %q
controlPlane:
  certificateKey: %q
nodeRegistration:
  ignorePreflightErrors: [%s]
%s`, c.endpoint, c.token, c.hash, c.certKey, strings.Join(checks, ","), extra))
	return path
}

// testControlPlaneRerun joins h with an etcd timeout too short for its new
// member to start and catch up, so the join fails after the member was
// added; the same join rerun, with the default timeout and the preflight
// errors its first run causes ignored, must complete without a second
// member.
func testControlPlaneRerun(t *testing.T, ctx context.Context, c *cpCluster, h *framework.Host) {
	cfg := writeControlPlaneJoinConfig(t, c, h, "timeouts:\n  etcdAPICall: 1s\n")
	out, _, err := runKadm(t, ctx, h, 5*time.Minute, "join", "--config", cfg)
	if err == nil {
		t.Fatalf("the join succeeded within a 1s etcd timeout; the rerun would prove nothing")
	}
	if !strings.Contains(out, "error execution phase etcd-join") {
		t.Fatalf("the first join did not fail in etcd-join")
	}
	if n := memberCount(t, ctx, c.cp, h); n != 1 {
		t.Fatalf("after the failed join etcd has %d members with %s's peer URL, want 1", n, h.Name)
	}
	out = c.run(t, ctx, h, slices.Concat(c.cpJoinArgs(), []string{"--ignore-preflight-errors=all"})...)
	if !strings.Contains(out, "a new control plane instance was created") {
		t.Errorf("the output lacks kubeadm's control-plane closing message")
	}
	if n := memberCount(t, ctx, c.cp, h); n != 1 {
		t.Errorf("after the rerun etcd has %d members with %s's peer URL, want 1", n, h.Name)
	}
}

// etcdMembers lists the members of the cluster's etcd, asked through cp's
// etcd with the API server's client certificate.
func etcdMembers(t testing.TB, ctx context.Context, cp *framework.Host) []*etcdMember {
	t.Helper()
	cli := etcdClient(t, cp)
	defer cli.Close()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	resp, err := cli.MemberList(ctx)
	if err != nil {
		t.Fatalf("list the etcd members: %v", err)
	}
	var out []*etcdMember
	for _, m := range resp.Members {
		out = append(out, &etcdMember{name: m.Name, peerURLs: m.PeerURLs, learner: m.IsLearner})
	}
	return out
}

type etcdMember struct {
	name     string
	peerURLs []string
	learner  bool
}

// memberCount counts the members with h's peer URL.
func memberCount(t testing.TB, ctx context.Context, cp, h *framework.Host) int {
	t.Helper()
	peer := "https://" + net.JoinHostPort(h.IP.String(), "2380")
	n := 0
	for _, m := range etcdMembers(t, ctx, cp) {
		if slices.Contains(m.peerURLs, peer) {
			n++
		}
	}
	return n
}

// checkEtcdMembers waits until etcd has exactly one voting member per host,
// named after it, with its peer URL.
func checkEtcdMembers(t *testing.T, ctx context.Context, cp *framework.Host, hosts []*framework.Host) {
	var want []string
	for _, h := range hosts {
		want = append(want, h.Name+" https://"+net.JoinHostPort(h.IP.String(), "2380")+" voter")
	}
	slices.Sort(want)
	var got []string
	err := framework.WaitFor(ctx, time.Minute, time.Second, fmt.Sprintf("%d voting etcd members", len(hosts)), func(ctx context.Context) error {
		got = nil
		for _, m := range etcdMembers(t, ctx, cp) {
			role := "voter"
			if m.learner {
				role = "learner"
			}
			got = append(got, m.name+" "+strings.Join(m.peerURLs, ",")+" "+role)
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			return fmt.Errorf("members %q", got)
		}
		return nil
	})
	if err != nil {
		t.Errorf("etcd members %q, want %q", got, want)
	}
}

// etcdClient dials cp's etcd with the API server's etcd client certificate.
func etcdClient(t testing.TB, cp *framework.Host) *clientv3.Client {
	t.Helper()
	pair, err := tls.LoadX509KeyPair(cp.Path("/etc/kubernetes/pki/apiserver-etcd-client.crt"), cp.Path("/etc/kubernetes/pki/apiserver-etcd-client.key"))
	if err != nil {
		t.Fatal(err)
	}
	caPEM, err := cp.ReadFile("/etc/kubernetes/pki/etcd/ca.crt")
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(caPEM)
	cli, err := clientv3.New(clientv3.Config{
		Endpoints:   []string{"https://" + net.JoinHostPort(cp.IP.String(), "2379")},
		DialTimeout: 5 * time.Second,
		TLS:         &tls.Config{Certificates: []tls.Certificate{pair}, RootCAs: roots},
		Logger:      zap.NewNop(),
	})
	if err != nil {
		t.Fatal(err)
	}
	return cli
}

// checkServingNames checks that h's API server presents a certificate,
// signed by the cluster CA, that is valid for h's address and for the
// control-plane endpoint's host.
func checkServingNames(t *testing.T, ctx context.Context, h *framework.Host, endpoint string) {
	t.Helper()
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(readCA(t, h))
	epHost, _, err := net.SplitHostPort(endpoint)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{h.IP.String(), epHost} {
		hc := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, ServerName: name}}}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, "https://"+net.JoinHostPort(h.IP.String(), "6443")+"/readyz", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := hc.Do(req)
		if err != nil {
			t.Errorf("readyz at %s verified for %s: %v", h.IP, name, err)
			continue
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("readyz at %s: %s: %s", h.IP, resp.Status, body)
		}
	}
}
