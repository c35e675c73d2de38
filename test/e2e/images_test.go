//go:build e2e

package e2e

import (
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestInitDryRunImages runs the real `kadm init --dry-run` for a version given
// without its "v" and checks every image reference it would deploy against
// what upstream `kubeadm config images list` names for the same input: the
// two once disagreed on kube-proxy's tag, naming an image that does not exist.
func TestInitDryRunImages(t *testing.T) {
	t.Parallel()
	requireKadm(t)
	for _, version := range []string{"1.37.2", "v1.37.1"} {
		t.Run(version, func(t *testing.T) {
			t.Parallel()
			ctx := testContext(t, time.Minute)
			// The dry run's directory is the test's: by default it would be
			// made in the machine's /etc/kubernetes/tmp, as kubeadm's is.
			env := []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=" + t.TempDir(), "TMPDIR=" + t.TempDir(),
				"KUBEADM_INIT_DRYRUN_DIR=" + filepath.Join(t.TempDir(), "dryrun")}

			list := exec.CommandContext(ctx, filepath.Join(suite.lab.BinDir, "kubeadm"), "config", "images", "list", "--kubernetes-version", version)
			list.Env = env
			out, err := list.Output()
			if err != nil {
				t.Fatalf("kubeadm config images list: %v", err)
			}
			var want []string
			for _, image := range strings.Fields(string(out)) {
				// The sandbox image is the runtime's, not in any manifest.
				if !strings.Contains(image, "/pause:") {
					want = append(want, image)
				}
			}

			dry := exec.CommandContext(ctx, suite.kadm, "init", "--dry-run", "--kubernetes-version", version,
				"--apiserver-advertise-address", "192.0.2.10", "--node-name", "dry-run", "--ignore-preflight-errors", "all")
			dry.Env = env
			out, err = dry.CombinedOutput()
			if err != nil {
				t.Fatalf("kadm init --dry-run: %v\n%s", err, out)
			}
			var got []string
			for _, m := range regexp.MustCompile(`(?m)^\s*image: (\S+)$`).FindAllStringSubmatch(string(out), -1) {
				got = append(got, m[1])
			}
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("kadm init --dry-run --kubernetes-version %s deploys\n%q\nkubeadm config images list names\n%q", version, got, want)
			}
		})
	}
}
