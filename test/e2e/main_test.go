//go:build e2e

package e2e

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kadm-project/kadm/test/e2e/framework"
)

// suite is prepared once by TestMain, before any test runs, and only read
// afterwards.
var suite struct {
	lab *framework.Lab
	// kadm is the kadm binary built for this run; kadmErr says why there is
	// none, so only the tests that need kadm fail when it does not build.
	kadm    string
	kadmErr error
}

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) != "" {
		os.Exit(runHelper(os.Args[1:]))
	}
	flag.Parse()
	os.Exit(runSuite(m))
}

func runSuite(m *testing.M) int {
	if os.Geteuid() != 0 {
		fmt.Fprintln(os.Stderr, "e2e: "+framework.RootMessage)
		return m.Run()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	tmp, err := os.MkdirTemp("", "kadm-e2e-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer os.RemoveAll(tmp)
	standin := filepath.Join(tmp, "kubelet-standin")
	if err := framework.GoBuild(ctx, "./test/e2e/kubeletstandin", standin); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: build the kubelet stand-in:", err)
		return 1
	}
	suite.kadm = filepath.Join(tmp, "kadm")
	if suite.kadmErr = framework.GoBuild(ctx, "./cmd/kadm", suite.kadm); suite.kadmErr != nil {
		fmt.Fprintln(os.Stderr, "e2e: build kadm (the tests that run it will fail):", suite.kadmErr)
	}
	components := framework.ComponentsDir()
	programs := map[string]string{"kadm": suite.kadm, "kubeadm": filepath.Join(components, "kubeadm")}
	suite.lab = framework.E2ELab(standin, components, programs)
	if err := suite.lab.Sweep(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: remove the hosts of an earlier run:", err)
		return 1
	}
	code := m.Run()
	if os.Getenv("KADM_E2E_KEEP") == "" {
		sweepCtx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		if err := suite.lab.Sweep(sweepCtx); err != nil {
			fmt.Fprintln(os.Stderr, "e2e: remove what the tests left:", err)
			code = 1
		}
	}
	return code
}

// requireComponents fails the test when the built control-plane binaries it
// needs are missing.
func requireComponents(t *testing.T, names ...string) {
	t.Helper()
	if err := framework.CheckComponents(suite.lab.ComponentsDir, names...); err != nil {
		t.Fatal(err)
	}
}

// requireKadm fails the test when kadm did not build.
func requireKadm(t *testing.T) {
	t.Helper()
	if suite.kadmErr != nil {
		t.Fatalf("kadm did not build: %v", suite.kadmErr)
	}
}

// testContext is a context bounded by timeout and by the test's deadline.
func testContext(t *testing.T, timeout time.Duration) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), timeout)
	t.Cleanup(cancel)
	return ctx
}
