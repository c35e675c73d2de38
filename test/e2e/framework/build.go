package framework

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// KubernetesVersion is the release of the upstream binaries the e2e environment
// runs, and the directory name of their default cache.
const KubernetesVersion = "v1.37.2"

// PreviousKubernetesVersion is the release before KubernetesVersion, built by
// the tools module test/e2e/tools/previous: what the upgrade tests start from.
const PreviousKubernetesVersion = "v1.36.3"

// PreviousComponents are the binaries of PreviousKubernetesVersion
// (`KADM_E2E_TOOLS=test/e2e/tools/previous hack/build-e2e-bins.sh`).
func PreviousComponents() []string {
	return []string{"etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubelet", "kube-proxy", "coredns", "kubeadm"}
}

// PreviousBinDir is where the binaries of PreviousKubernetesVersion are:
// $KADM_E2E_PREVIOUS_BIN_DIR, else ~/.cache/kadm/e2e-bin/<previous version>.
func PreviousBinDir() string {
	if d := os.Getenv("KADM_E2E_PREVIOUS_BIN_DIR"); d != "" {
		return d
	}
	return filepath.Join(filepath.Dir(defaultBinDir()), PreviousKubernetesVersion)
}

// Components are the binaries hack/build-e2e-bins.sh builds that the hosts and
// their images are made of.
func Components() []string {
	return []string{"etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubelet", "kube-proxy",
		"coredns", "pause", "probe", "crictl", "registry", "kubeadm"}
}

// BinDir is where hack/build-e2e-bins.sh puts the built binaries:
// $KADM_E2E_BIN_DIR, else ~/.cache/kadm/e2e-bin/<version>.
func BinDir() string {
	if d := os.Getenv("KADM_E2E_BIN_DIR"); d != "" {
		return d
	}
	return defaultBinDir()
}

// defaultBinDir is hack/build-e2e-bins.sh's default directory for
// KubernetesVersion.
func defaultBinDir() string {
	home, err := os.UserHomeDir()
	if err != nil {
		home = "/root"
	}
	return filepath.Join(home, ".cache", "kadm", "e2e-bin", KubernetesVersion)
}

// CheckComponents reports which of the named binaries dir lacks, and how to
// build them.
func CheckComponents(dir string, names ...string) error {
	var missing []string
	for _, n := range names {
		if fi, err := os.Stat(filepath.Join(dir, n)); err != nil || fi.Mode()&0o111 == 0 {
			missing = append(missing, n)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return fmt.Errorf("%s lacks %s: build them with `make e2e-bins` (hack/build-e2e-bins.sh) or point KADM_E2E_BIN_DIR at a directory that has them",
		dir, strings.Join(missing, ", "))
}

// ModuleRoot is the directory of kadm's go.mod.
func ModuleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("not inside kadm's Go module")
	}
	return filepath.Dir(gomod), nil
}

// GoBuild builds a package of kadm's module (such as ./cmd/kadm) into out as
// a static binary, with the build tags the Makefile's build uses.
func GoBuild(ctx context.Context, pkg, out string) error {
	root, err := ModuleRoot(ctx)
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, pkg)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %w\n%s", pkg, err, b)
	}
	return nil
}

// PreflightIgnores are the preflight checks the machine cannot pass whatever
// kadm does, to hand to --ignore-preflight-errors, with the reason. On a machine
// with cgroup v1 (no cgroup2 file system at /sys/fs/cgroup), kubeadm's
// SystemVerification rejects the kubelet v1.35+ would run on, and so does
// kadm's; the hosts' kubelets run there with failCgroupV1 false.
func PreflightIgnores() (checks []string, why string) {
	if cgroupV2() {
		return nil, ""
	}
	return []string{"SystemVerification"}, "this machine has cgroup v1, which kubelet v1.35+ and so the SystemVerification preflight check reject"
}
