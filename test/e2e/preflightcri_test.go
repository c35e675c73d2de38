//go:build e2e

package e2e

import (
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/kadm-project/kadm/test/e2e/framework"
)

// TestPreflightRuntime is issue #14's acceptance for preflight on a host's
// real containerd: with imagePullPolicy Never, an image the runtime lacks
// fails the ImagePull check by name and nothing is pulled; with containerd
// stopped, the CRI check fails naming the socket kadm looked at.
func TestPreflightRuntime(t *testing.T) {
	framework.RequireRoot(t)
	requireKadm(t)
	t.Parallel()
	ctx := testContext(t, 5*time.Minute)
	h := framework.NewHost(t, suite.lab, "preflight-cri")
	preflight := func(config string) (string, error) {
		t.Helper()
		args := append([]string{"init", "phase", "preflight", "--config", config}, preflightFlags(t)...)
		return h.Run(ctx, "kadm", args...)
	}
	wantExit3 := func(out string, err error, wants ...string) {
		t.Helper()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 3 {
			t.Fatalf("kadm init phase preflight: %v, want exit code 3 (preflight failed)\n%s", err, out)
		}
		for _, w := range wants {
			if !strings.Contains(out, w) {
				t.Errorf("the output lacks %q:\n%s", w, out)
			}
		}
	}

	images := strings.Fields(mustRun(t, ctx, h, "kadm", "config", "images", "list", "--kubernetes-version", framework.KubernetesVersion))
	var etcd string
	for _, image := range images {
		if strings.Contains(image, "/etcd:") {
			etcd = image
		}
	}
	if etcd == "" {
		t.Fatalf("no etcd image in %q", images)
	}
	never := h.Dir + "/never.yaml"
	writeFile(t, never, fmt.Sprintf(`apiVersion: kubeadm.k8s.io/v1beta4
kind: InitConfiguration
localAPIEndpoint:
  advertiseAddress: %s
nodeRegistration:
  imagePullPolicy: Never
---
apiVersion: kubeadm.k8s.io/v1beta4
kind: ClusterConfiguration
kubernetesVersion: %s
`, h.IP, framework.KubernetesVersion))

	t.Run("Never with every image present passes", func(t *testing.T) {
		out := mustRun(t, ctx, h, "kadm", append([]string{"init", "phase", "preflight", "--config", never}, preflightFlags(t)...)...)
		if strings.Contains(out, "ImagePull") && strings.Contains(out, "is not present") {
			t.Errorf("ImagePull reports a missing image:\n%s", out)
		}
	})

	mustRun(t, ctx, h, "ctr", "-n", "k8s.io", "images", "rm", etcd)
	t.Run("Never with a missing image fails naming it", func(t *testing.T) {
		out, err := preflight(never)
		wantExit3(out, err, "[ERROR ImagePull]: image "+etcd+" is not present in the container runtime, and imagePullPolicy is Never")
		if n := strings.Count(out, "[ERROR ImagePull]"); n != 1 {
			t.Errorf("%d ImagePull errors, want the one for %s:\n%s", n, etcd, out)
		}
		if list := mustRun(t, ctx, h, "ctr", "-n", "k8s.io", "images", "ls", "-q"); strings.Contains(list, etcd) {
			t.Errorf("preflight pulled %s although imagePullPolicy is Never", etcd)
		}
	})

	mustRun(t, ctx, h, "systemctl", "stop", "containerd")
	t.Run("a stopped containerd fails the CRI check naming the socket", func(t *testing.T) {
		out, err := preflight(never)
		wantExit3(out, err, "[ERROR CRI]: could not connect to the container runtime at unix:///var/run/containerd/containerd.sock",
			"--cri-socket")
	})
}
