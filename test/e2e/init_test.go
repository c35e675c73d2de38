//go:build e2e

package e2e

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kadm-project/kadm/internal/golden"
	"github.com/kadm-project/kadm/test/e2e/framework"
)

// initPhases are kadm init's phases in kubeadm v1.37's order, as a user runs
// them one by one.
var initPhases = [][]string{
	{"preflight"},
	{"certs", "all"},
	{"kubeconfig", "all"},
	{"etcd", "local"},
	{"control-plane", "all"},
	{"kubelet-start"},
	{"wait-control-plane"},
	{"upload-config", "all"},
	{"upload-certs"},
	{"mark-control-plane"},
	{"bootstrap-token"},
	{"kubelet-finalize", "all"},
	{"addon", "all"},
	{"show-join-command"},
}

// preflightFlags ignores the checks this machine cannot pass whatever kadm
// does (see framework.PreflightIgnores); every other check runs.
func preflightFlags(t testing.TB) []string {
	t.Helper()
	checks, why := framework.PreflightIgnores()
	if len(checks) == 0 {
		return nil
	}
	t.Logf("ignoring preflight checks %s: %s", strings.Join(checks, ","), why)
	return []string{"--ignore-preflight-errors=" + strings.Join(checks, ",")}
}

// TestInit is issue #3's acceptance: kadm init on a fresh host brings up a
// control plane from kadm's own files; the certificates are right; the
// state equals upstream kubeadm's; the join command is printed; a second
// init stops in preflight and --ignore-preflight-errors=all gets past it,
// keeping what is valid.
func TestInit(t *testing.T) {
	framework.RequireRoot(t)
	requireKadm(t)
	t.Parallel()
	reserveNodes(t, 1, 0)
	ctx := testContext(t, 15*time.Minute)
	h := framework.NewHost(t, suite.lab, "init")
	token, id, _ := newToken(t)
	base := []string{"init", "--apiserver-advertise-address", h.IP.String(), "--token", token,
		"--kubernetes-version", framework.KubernetesVersion}
	args := append(slices.Clone(base), preflightFlags(t)...)
	out := mustRun(t, ctx, h, "kadm", args...)
	client := verifyControlPlane(t, ctx, h, token)
	t.Run("certificates", func(t *testing.T) { checkCertificates(t, h, controlPlaneHost{}) })
	t.Run("the kubelet accepts the config.yaml kadm wrote", func(t *testing.T) { checkKubeletConfigAccepted(t, h) })
	t.Run("kubelet-finalize restarts the kubelet on its rotating client certificate", func(t *testing.T) {
		checkKubeletFinalized(t, ctx, client, h)
	})
	t.Run("state", func(t *testing.T) {
		got, err := snapshot(ctx, h, client, id)
		if err != nil {
			t.Fatal(err)
		}
		compareGolden(t, initGolden, got, false)
	})
	t.Run("join command", func(t *testing.T) {
		for _, want := range []string{"kadm join " + h.IP.String() + ":6443 --token " + token, "--discovery-token-ca-cert-hash " + caCertHash(t, h)} {
			if !strings.Contains(out, want) {
				t.Errorf("the output lacks %q", want)
			}
		}
	})

	pki := fileDigests(t, h.Path("/etc/kubernetes/pki"))
	t.Run("a second init fails in preflight", func(t *testing.T) {
		out, err := h.Run(ctx, "kadm", args...)
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 3 {
			t.Fatalf("a second kadm init: %v, want exit code 3 (preflight failed)\n%s", err, out)
		}
		for _, want := range []string{"[ERROR Port-6443]", "[ERROR FileAvailable--etc-kubernetes-manifests-kube-apiserver.yaml]", "error execution phase preflight"} {
			if !strings.Contains(out, want) {
				t.Errorf("the output lacks %q:\n%s", want, out)
			}
		}
		if got := fileDigests(t, h.Path("/etc/kubernetes/pki")); !maps.Equal(got, pki) {
			t.Errorf("a failed preflight changed the certificates")
		}
	})

	t.Run("--ignore-preflight-errors=all gets past preflight and keeps what is valid", func(t *testing.T) {
		out := mustRun(t, ctx, h, "kadm", append(base, "--ignore-preflight-errors=all")...)
		if !strings.Contains(out, "[WARNING Port-6443]") {
			t.Errorf("the output lacks the preflight warning [WARNING Port-6443]")
		}
		if got := fileDigests(t, h.Path("/etc/kubernetes/pki")); !maps.Equal(got, pki) {
			t.Errorf("rerunning init replaced valid certificates or keys")
		}
		client := verifyControlPlane(t, ctx, h, token)
		got, err := snapshot(ctx, h, client, id)
		if err != nil {
			t.Fatal(err)
		}
		compareGolden(t, initGolden, got, false)
	})
}

// TestInitPhases runs every `kadm init phase` in order on a fresh host and
// expects what a whole kadm init (and kubeadm's) leaves.
func TestInitPhases(t *testing.T) {
	framework.RequireRoot(t)
	requireKadm(t)
	t.Parallel()
	reserveNodes(t, 1, 0)
	ctx := testContext(t, 15*time.Minute)
	h := framework.NewHost(t, suite.lab, "phases")
	token, id, _ := newToken(t)
	cfg := writeInitConfig(t, h, token)
	for _, phase := range initPhases {
		args := append(append([]string{"init", "phase"}, phase...), "--config", cfg)
		if phase[0] == "preflight" {
			args = append(args, preflightFlags(t)...)
		}
		mustRun(t, ctx, h, "kadm", args...)
	}
	client := verifyControlPlane(t, ctx, h, token)
	got, err := snapshot(ctx, h, client, id)
	if err != nil {
		t.Fatal(err)
	}
	compareGolden(t, initGolden, got, false)
}

// TestInitSkipPhases checks that --skip-phases skips exactly the phases it
// names, a sub-phase among them: the state is kubeadm's minus what those
// phases make.
func TestInitSkipPhases(t *testing.T) {
	framework.RequireRoot(t)
	requireKadm(t)
	t.Parallel()
	reserveNodes(t, 1, 0)
	ctx := testContext(t, 15*time.Minute)
	h := framework.NewHost(t, suite.lab, "skip")
	token, id, _ := newToken(t)
	args := append([]string{"init", "--config", writeInitConfig(t, h, token),
		"--skip-phases=mark-control-plane,addon/kube-proxy,show-join-command"}, preflightFlags(t)...)
	out := mustRun(t, ctx, h, "kadm", args...)
	for _, unwanted := range []string{"[mark-control-plane]", "kube-proxy", " join "} {
		if strings.Contains(out, unwanted) {
			t.Errorf("the output mentions %q although its phase was skipped", unwanted)
		}
	}
	if !strings.Contains(out, "CoreDNS") {
		t.Errorf("the output does not mention CoreDNS: addon/coredns did not run")
	}
	waitReadyz(t, ctx, h)
	client := adminClient(t, h)
	waitNode(t, ctx, client, h.Name, nodeReady)
	waitClusterInfoSigned(t, ctx, h, token)
	got, err := snapshot(ctx, h, client, id)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(initGolden)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, line := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		if !madeBySkippedPhases(line) {
			want = append(want, line)
		}
	}
	wantText, gotText := strings.Join(want, "\n")+"\n", strings.Join(got, "\n")+"\n"
	if gotText != wantText {
		t.Errorf("the state after --skip-phases differs from %s without what mark-control-plane and addon/kube-proxy make (-want +got):\n%s",
			initGolden, golden.Diff(initGolden, wantText, gotText))
	}
}

// madeBySkippedPhases tells the lines of the init state that
// mark-control-plane and addon/kube-proxy produce.
func madeBySkippedPhases(line string) bool {
	for _, s := range []string{"kube-proxy", "node-proxier", "label node-role.kubernetes.io/control-plane=",
		"label node.kubernetes.io/exclude-from-external-load-balancers=", "taint node-role.kubernetes.io/control-plane="} {
		if strings.Contains(line, s) {
			return true
		}
	}
	return false
}

// fileDigests maps every regular file under dir to the SHA-256 of its content.
func fileDigests(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		// A symlink (the kubelet's kubelet-client-current.pem) points into
		// the host's own file system; its target is digested on its own.
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		out[path] = fmt.Sprintf("%x", sha256.Sum256(b))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
