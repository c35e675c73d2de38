//go:build e2e

package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kadm-project/kadm/test/e2e/framework"
)

// TestPackageInstall is issue #14's install on a real node: the .deb `make
// package` builds installs with dpkg on a fresh host, the kubelet runs from
// the package's drop-in, and the installed /usr/bin/kadm brings up a control
// plane.
func TestPackageInstall(t *testing.T) {
	framework.RequireRoot(t)
	requireKadm(t)
	t.Parallel()
	ctx := testContext(t, 15*time.Minute)
	out := t.TempDir()
	build := exec.CommandContext(ctx, "go", "run", ".", "-binary", suite.kadm, "-version", framework.KubernetesVersion, "-out", out)
	build.Dir = "../../packaging/tools"
	build.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=")
	if b, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build the packages: %v\n%s", err, b)
	}
	debs, _ := filepath.Glob(filepath.Join(out, "kadm_*_amd64.deb"))
	if len(debs) != 1 {
		t.Fatalf("packages built: %v", debs)
	}
	h := framework.NewHost(t, suite.lab, "package")
	// The host starts with the repository's drop-in, as the kubelet's
	// package would leave it; dpkg takes the file over.
	mustRun(t, ctx, h, "dpkg", "--install", debs[0])
	if status := mustRun(t, ctx, h, "dpkg", "--status", "kadm"); !strings.Contains(status, "Status: install ok installed") {
		t.Fatalf("dpkg --status kadm:\n%s", status)
	}
	if v := strings.TrimSpace(mustRun(t, ctx, h, "/usr/bin/kadm", "version", "-o", "short")); v != framework.KubernetesVersion {
		t.Errorf("the installed kadm says %q, want %s", v, framework.KubernetesVersion)
	}
	dropIn, err := os.ReadFile("../../packaging/systemd/kubelet.service.d/10-kubeadm.conf")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := h.ReadFile("/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf"); err != nil || string(got) != string(dropIn) {
		t.Errorf("the installed drop-in differs from the repository's (%v):\n%s", err, got)
	}

	token, _, _ := newToken(t)
	cfg := writeInitConfig(t, h, token)
	mustRun(t, ctx, h, "/usr/bin/kadm", append([]string{"init", "--config", cfg}, preflightFlags(t)...)...)
	verifyControlPlane(t, ctx, h, token)
}
