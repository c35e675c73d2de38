//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"
	certutil "k8s.io/client-go/util/cert"
	bootstrapapi "k8s.io/cluster-bootstrap/token/api"

	"github.com/kadm-project/kadm/test/e2e/framework"
)

// TestTokenCommands is issue #6's acceptance for the commands around join,
// on a control plane initialised by kadm: the join command `token create
// --print-join-command` prints joins a new host as it is; `token list`
// shows TTLs and usages and no secret; a deleted token and one the real
// tokencleaner removed after its 1s TTL are refused fast, by name; a node
// given `kubeconfig user` credentials joins without a TLS bootstrap;
// `certs check-expiration` reports the certificates on disk; `reset
// --dry-run` changes nothing and `reset` on a worker lets it join again.
func TestTokenCommands(t *testing.T) {
	framework.RequireRoot(t)
	requireKadm(t)
	t.Parallel()
	reserveNodes(t, 1, 3)
	ctx := testContext(t, 15*time.Minute)
	c := initJoinCluster(t, ctx, "tok-cp")
	cp := c.cp

	w1 := framework.NewHost(t, suite.lab, "tok-w1")
	t.Run("the printed join command joins a new host", func(t *testing.T) {
		joinWithPrintedCommand(t, ctx, c, w1)
	})

	t.Run("token list shows TTLs and usages, not secrets", func(t *testing.T) {
		out := mustRun(t, ctx, cp, "kadm", "token", "list")
		_, secret, _ := strings.Cut(c.token, ".")
		if strings.Contains(out, secret) {
			t.Errorf("token list prints the secret of token %s", c.id)
		}
		line := lineWith(out, c.id)
		if line == "" {
			t.Fatalf("token list does not list token %s", c.id)
		}
		for _, want := range []string{"23h", "authentication,signing", "system:bootstrappers:kubeadm:default-node-token"} {
			if !strings.Contains(line, want) {
				t.Errorf("the line of token %s lacks %q: %q", c.id, want, line)
			}
		}
	})

	refused := framework.NewHost(t, suite.lab, "tok-refused")
	t.Run("a deleted token is refused fast, by name", func(t *testing.T) {
		token := strings.TrimSpace(mustRun(t, ctx, cp, "kadm", "token", "create"))
		id, _, _ := strings.Cut(token, ".")
		mustRun(t, ctx, cp, "kadm", "token", "delete", id)
		joinRefused(t, ctx, c, refused, token)
	})
	t.Run("a token past its 1s TTL is removed by the tokencleaner and refused", func(t *testing.T) {
		token := strings.TrimSpace(mustRun(t, ctx, cp, "kadm", "token", "create", "--ttl", "1s"))
		id, _, _ := strings.Cut(token, ".")
		err := framework.WaitFor(ctx, 2*time.Minute, time.Second, "the tokencleaner to delete token "+id, func(ctx context.Context) error {
			_, err := c.client.CoreV1().Secrets(metav1.NamespaceSystem).Get(ctx, bootstrapapi.BootstrapTokenSecretPrefix+id, metav1.GetOptions{})
			if apierrors.IsNotFound(err) {
				return nil
			}
			if err == nil {
				return errors.New("its Secret still exists")
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		joinRefused(t, ctx, c, refused, token)
	})

	t.Run("a node with kubeconfig user credentials joins without a TLS bootstrap", func(t *testing.T) {
		w := framework.NewHost(t, suite.lab, "tok-user")
		cfg := cp.Dir + "/user.yaml"
		writeFile(t, cfg, initConfig(cp, c.token))
		kubeconfig := mustRun(t, ctx, cp, "kadm", "kubeconfig", "user", "--config", cfg, "--org", "system:nodes", "--client-name", "system:node:"+w.Name)
		path := w.Path("/etc/kubernetes/kubelet.conf")
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(kubeconfig), 0o600); err != nil {
			t.Fatal(err)
		}
		ignore := "--ignore-preflight-errors=FileAvailable--etc-kubernetes-kubelet.conf"
		if checks, _ := framework.PreflightIgnores(); len(checks) > 0 {
			ignore += "," + strings.Join(checks, ",")
		}
		out, _, err := runKadm(t, ctx, w, 5*time.Minute, "join", c.endpoint, "--token", c.token, "--discovery-token-ca-cert-hash", c.hash, ignore)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out, "skipping the TLS bootstrap") {
			t.Errorf("the join does not say that it skips the TLS bootstrap")
		}
		waitNode(t, ctx, c.client, w.Name, nodeReady)
		// The kubelet renews the certificate it was given with a request
		// of its own; a TLS bootstrap would send one as the token.
		csrs, err := c.client.CertificatesV1().CertificateSigningRequests().List(ctx, metav1.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for _, csr := range csrs.Items {
			if strings.HasPrefix(csr.Spec.Username, "system:bootstrap:") && csrCommonName(&csr) == "system:node:"+w.Name {
				t.Errorf("certificate signing request %s for the node was sent by %q: a TLS bootstrap ran although it had credentials", csr.Name, csr.Spec.Username)
			}
		}
	})

	t.Run("certs check-expiration reports the certificates on disk", func(t *testing.T) { checkExpiration(t, ctx, cp) })

	t.Run("reset on a worker, then join again", func(t *testing.T) {
		before := hostState(t, w1)
		out := mustRun(t, ctx, w1, "kadm", "reset", "--dry-run")
		for _, want := range []string{"/etc/kubernetes/kubelet.conf", "/var/lib/kubelet"} {
			if !strings.Contains(out, want) {
				t.Errorf("the dry run does not list %s", want)
			}
		}
		if after := hostState(t, w1); !slices.Equal(after, before) {
			t.Errorf("reset --dry-run changed the host")
		}
		mustRun(t, ctx, w1, "kadm", "reset", "--force")
		for _, f := range []string{"/etc/kubernetes/kubelet.conf", "/etc/kubernetes/pki/ca.crt", "/var/lib/kubelet/config.yaml"} {
			if _, err := w1.ReadFile(f); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("reset left %s (read: %v)", f, err)
			}
		}
		// reset leaves the Node object, as kubeadm's; a Ready Node of the
		// same name would make the join refuse.
		if err := c.client.CoreV1().Nodes().Delete(ctx, w1.Name, metav1.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
		joinWithPrintedCommand(t, ctx, c, w1)
	})
}

// joinWithPrintedCommand runs, on w, the join command `token create
// --print-join-command` prints on the control plane, as it is (with the
// preflight ignores this machine needs), and checks the worker.
func joinWithPrintedCommand(t *testing.T, ctx context.Context, c *joinCluster, w *framework.Host) {
	t.Helper()
	out := mustRun(t, ctx, c.cp, "kadm", "token", "create", "--print-join-command")
	command := strings.Fields(lineWith(out, " join "))
	if len(command) < 2 || command[0] != "kadm" {
		t.Fatalf("no join command in the output")
	}
	tokenAt := slices.Index(command, "--token")
	if tokenAt < 0 || tokenAt+1 >= len(command) {
		t.Fatalf("the join command has no --token")
	}
	id, _, _ := strings.Cut(command[tokenAt+1], ".")
	c.join(t, ctx, w, append(command[1:], c.preflight...)...)
	checkWorker(t, ctx, c.cp, w, c.client, id)
}

// joinRefused joins h with token and expects a refusal within seconds that
// names the token's ID, leaving nothing behind.
func joinRefused(t *testing.T, ctx context.Context, c *joinCluster, h *framework.Host, token string) {
	t.Helper()
	id, secret, _ := strings.Cut(token, ".")
	out, elapsed, err := runKadm(t, ctx, h, time.Minute, slices.Concat([]string{"join", c.endpoint, "--token", token, "--discovery-token-ca-cert-hash", c.hash}, c.preflight)...)
	if err == nil {
		t.Fatalf("the join succeeded")
	}
	if elapsed > 5*time.Second {
		t.Errorf("the join failed after %s, want within 5s", elapsed.Round(time.Millisecond))
	}
	if !strings.Contains(out, id) {
		t.Errorf("the output does not name token %s", id)
	}
	if strings.Contains(out, secret) {
		t.Errorf("the output shows the token's secret")
	}
	if _, err := h.ReadFile("/etc/kubernetes/bootstrap-kubelet.conf"); err == nil {
		t.Errorf("the refused join left bootstrap-kubelet.conf")
	}
}

// lineWith is the first line of out that contains s, or "".
func lineWith(out, s string) string {
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, s) {
			return l
		}
	}
	return ""
}

// checkExpiration compares `certs check-expiration -o json` with the
// certificates on cp's disk: every certificate and CA file and kubeconfig,
// each with its own NotAfter.
func checkExpiration(t *testing.T, ctx context.Context, cp *framework.Host) {
	t.Helper()
	out := mustRun(t, ctx, cp, "kadm", "certs", "check-expiration", "-o", "json")
	var info struct {
		Certificates []struct {
			Name           string    `json:"name"`
			ExpirationDate time.Time `json:"expirationDate"`
			Missing        bool      `json:"missing"`
		} `json:"certificates"`
		CertificateAuthorities []struct {
			Name           string    `json:"name"`
			ExpirationDate time.Time `json:"expirationDate"`
			Missing        bool      `json:"missing"`
		} `json:"certificateAuthorities"`
	}
	if err := json.Unmarshal([]byte(out[strings.Index(out, "{"):]), &info); err != nil {
		t.Fatalf("parse the JSON output: %v", err)
	}
	type entry struct {
		name    string
		expires time.Time
		missing bool
	}
	var entries []entry
	for _, c := range info.Certificates {
		entries = append(entries, entry{c.Name, c.ExpirationDate, c.Missing})
	}
	for _, c := range info.CertificateAuthorities {
		entries = append(entries, entry{c.Name, c.ExpirationDate, c.Missing})
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.name)
		if e.missing {
			t.Errorf("%s is reported missing", e.name)
			continue
		}
		notAfter, err := notAfterOnDisk(cp, e.name)
		if err != nil {
			t.Errorf("%s: %v", e.name, err)
			continue
		}
		if d := e.expires.Sub(notAfter); d > time.Second || d < -time.Second {
			t.Errorf("%s expires %s by check-expiration, %s on disk", e.name, e.expires, notAfter)
		}
	}
	slices.Sort(names)
	want := []string{"admin.conf", "apiserver", "apiserver-etcd-client", "apiserver-kubelet-client", "ca", "controller-manager.conf",
		"etcd-ca", "etcd-healthcheck-client", "etcd-peer", "etcd-server", "front-proxy-ca", "front-proxy-client", "scheduler.conf", "super-admin.conf"}
	if !slices.Equal(names, want) {
		t.Errorf("check-expiration lists %q, want %q", names, want)
	}
}

// notAfterOnDisk reads the expiry of check-expiration's entry name: a
// kubeconfig's client certificate, or a certificate under pki/ ("etcd-x"
// is etcd/x.crt).
func notAfterOnDisk(h *framework.Host, name string) (time.Time, error) {
	var pemData []byte
	if strings.HasSuffix(name, ".conf") {
		cfg, err := clientcmd.LoadFromFile(h.Path("/etc/kubernetes/" + name))
		if err != nil {
			return time.Time{}, err
		}
		auth := cfg.AuthInfos[cfg.Contexts[cfg.CurrentContext].AuthInfo]
		pemData = auth.ClientCertificateData
	} else {
		file := name
		if rest, ok := strings.CutPrefix(name, "etcd-"); ok {
			file = "etcd/" + rest
		}
		var err error
		if pemData, err = h.ReadFile("/etc/kubernetes/pki/" + file + ".crt"); err != nil {
			return time.Time{}, err
		}
	}
	certs, err := certutil.ParseCertsPEM(pemData)
	if err != nil {
		return time.Time{}, err
	}
	return certs[0].NotAfter, nil
}
