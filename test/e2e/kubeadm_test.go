//go:build e2e

package e2e

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"maps"
	"path/filepath"
	"testing"
	"time"

	"k8s.io/client-go/tools/clientcmd"
	certutil "k8s.io/client-go/util/cert"

	"github.com/kadm-project/kadm/test/e2e/framework"
)

// TestKubeadmReference runs upstream kubeadm v1.37.2 in the environment:
// init on one host, join of a worker on another, preflight included (but the
// checks this machine cannot pass, see framework.PreflightIgnores). It proves
// the environment against the reference implementation (real kubelets
// running the control plane as static Pods, Node registration, client
// certificate rotation and the TLS bootstrap, the acceptance checks
// themselves) and, with -update, records the golden state kadm's init must
// leave.
func TestKubeadmReference(t *testing.T) {
	framework.RequireRoot(t)
	t.Parallel()
	reserveNodes(t, 1, 1)
	ctx := testContext(t, 15*time.Minute)
	cp := framework.NewHost(t, suite.lab, "kubeadm-cp")
	token, id, _ := newToken(t)
	mustRun(t, ctx, cp, "kubeadm", append([]string{"init", "--config", writeInitConfig(t, cp, token)}, preflightFlags(t)...)...)
	client := verifyControlPlane(t, ctx, cp, token)
	t.Run("certificates", func(t *testing.T) { checkCertificates(t, cp, controlPlaneHost{}) })
	t.Run("state", func(t *testing.T) {
		got, err := snapshot(ctx, cp, client, id)
		if err != nil {
			t.Fatal(err)
		}
		compareGolden(t, initGolden, got, true)
	})

	t.Run("a rerun keeps the state", func(t *testing.T) {
		pki := fileDigests(t, cp.Path("/etc/kubernetes/pki"))
		mustRun(t, ctx, cp, "kubeadm", "init", "--config", writeInitConfig(t, cp, token), "--ignore-preflight-errors=all")
		if got := fileDigests(t, cp.Path("/etc/kubernetes/pki")); !maps.Equal(got, pki) {
			t.Errorf("rerunning init replaced valid certificates or keys")
		}
		verifyControlPlane(t, ctx, cp, token)
		got, err := snapshot(ctx, cp, client, id)
		if err != nil {
			t.Fatal(err)
		}
		compareGolden(t, initGolden, got, false)
	})

	t.Run("the kubelet runs the control plane as static Pods", func(t *testing.T) {
		waitStaticPods(t, ctx, client, cp)
	})

	t.Run("a worker joins through the TLS bootstrap", func(t *testing.T) {
		w := framework.NewHost(t, suite.lab, "kubeadm-worker")
		mustRun(t, ctx, w, "kubeadm", append([]string{"join", cp.IP.String() + ":6443", "--token", token,
			"--discovery-token-ca-cert-hash", caCertHash(t, cp)}, preflightFlags(t)...)...)
		waitNode(t, ctx, client, w.Name, nodeReady)
		cfg, err := clientcmd.LoadFromFile(w.Path("/etc/kubernetes/kubelet.conf"))
		if err != nil {
			t.Fatal(err)
		}
		const pair = "/var/lib/kubelet/pki/kubelet-client-current.pem"
		auth := cfg.AuthInfos[cfg.Contexts[cfg.CurrentContext].AuthInfo]
		if auth.ClientCertificate != pair || auth.ClientKey != pair {
			t.Errorf("kubelet.conf authenticates with %q and %q, want %s", auth.ClientCertificate, auth.ClientKey, pair)
		}
		checkMode(t, w.Path("/etc/kubernetes/kubelet.conf"), 0o600)
		b, err := w.ReadFile(pair)
		if err != nil {
			t.Fatal(err)
		}
		certs, err := certutil.ParseCertsPEM(b)
		if err != nil {
			t.Fatal(err)
		}
		ca, err := certutil.CertsFromFile(cp.Path("/etc/kubernetes/pki/ca.crt"))
		if err != nil {
			t.Fatal(err)
		}
		e := certExpectation{name: "kubelet client", ca: "ca", cn: "system:node:" + w.Name, org: []string{"system:nodes"}, usages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
		checkCertificate(t, e, certs[0], ca[0])
		links, _ := filepath.Glob(w.Path("/var/lib/kubelet/pki/kubelet-client-2*.pem"))
		if len(links) == 0 {
			t.Errorf("no timestamped kubelet-client-<time>.pem next to the -current link")
		}
	})
}

// caCertHash is the --discovery-token-ca-cert-hash of a host's cluster CA:
// the SHA-256 of its SubjectPublicKeyInfo, computed here rather than with
// kadm's pkiutil so that the tests check kadm's pins independently.
func caCertHash(t testing.TB, h *framework.Host) string {
	t.Helper()
	certs, err := certutil.CertsFromFile(h.Path("/etc/kubernetes/pki/ca.crt"))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(certs[0].RawSubjectPublicKeyInfo)
	return "sha256:" + hex.EncodeToString(sum[:])
}
