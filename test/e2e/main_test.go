//go:build e2e

package e2e

import (
	"context"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kadm-project/kadm/test/e2e/framework"
)

// suite is prepared once by TestMain, before any test runs, and only read
// afterwards.
var suite struct {
	lab *framework.Lab
	// budget shares the machine's inotify instances among the tests that run
	// at once.
	budget *framework.Budget
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
	lab, cleanup, err := prepareLab(ctx)
	defer cleanup()
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	suite.lab = lab
	if err := lab.Sweep(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: remove the hosts of an earlier run:", err)
		return 1
	}
	if left, err := lab.Leftovers(ctx); err != nil || len(left) > 0 {
		fmt.Fprintf(os.Stderr, "e2e: an earlier run left, and the sweep did not remove: %q (%v)\n", left, err)
		return 1
	}
	if suite.budget, err = framework.NewInotifyBudget(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	if err := framework.CheckKubeProxyConntrack(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	before := framework.SnapshotMachine()
	keysBefore := framework.KeyFiles(lab)
	meter := framework.StartMemoryMeter(500 * time.Millisecond)
	start := time.Now()
	code := m.Run()
	base, peak, merr := meter.Stop()
	fmt.Fprintf(os.Stderr, "e2e: the tests took %s; the machine's used memory peaked at %d MiB, %d MiB above the %d MiB in use at the start (%v)\n",
		time.Since(start).Round(time.Second), peak>>20, (peak-base)>>20, base>>20, merr)
	if os.Getenv("KADM_E2E_KEEP") == "" {
		sweepCtx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		if err := lab.Sweep(sweepCtx); err != nil {
			fmt.Fprintln(os.Stderr, "e2e: remove what the tests left:", err)
			code = 1
		}
		if left, err := lab.Leftovers(sweepCtx); err != nil || len(left) > 0 {
			fmt.Fprintf(os.Stderr, "e2e: the lab left %q on the machine (%v)\n", left, err)
			code = 1
		}
	}
	if changed := before.Changed(framework.SnapshotMachine()); len(changed) > 0 {
		fmt.Fprintf(os.Stderr, "e2e: machine-wide settings or a node's paths on the machine changed during the run:\n  %s\n", strings.Join(changed, "\n  "))
		code = 1
	}
	var stray []string
	for _, f := range framework.KeyFiles(lab) {
		if !slices.Contains(keysBefore, f) {
			stray = append(stray, f)
		}
	}
	if len(stray) > 0 {
		fmt.Fprintf(os.Stderr, "e2e: files with a private key appeared outside the hosts during the run:\n  %s\n", strings.Join(stray, "\n  "))
		code = 1
	}
	return code
}

// prepareLab builds what the hosts run (the host init, kadm, the images) and
// returns the suite's lab; cleanup removes the build directory.
func prepareLab(ctx context.Context) (*framework.Lab, func(), error) {
	tmp, err := os.MkdirTemp("", "kadm-e2e-bin-")
	if err != nil {
		return nil, func() {}, err
	}
	cleanup := func() { os.RemoveAll(tmp) }
	lab := framework.E2ELab()
	suite.kadmErr, err = lab.Prepare(ctx, tmp, os.Stderr)
	suite.kadm = lab.Programs["kadm"]
	if suite.kadmErr != nil {
		fmt.Fprintln(os.Stderr, "e2e: build kadm (the tests that run it will fail):", suite.kadmErr)
	}
	return lab, cleanup, err
}

// requireKadm fails the test when kadm did not build.
func requireKadm(t *testing.T) {
	t.Helper()
	if suite.kadmErr != nil {
		t.Fatalf("kadm did not build: %v", suite.kadmErr)
	}
}

// reserveNodes waits until the machine can run that many more nodes at once
// (see framework.Budget) and holds them for the test.
func reserveNodes(t testing.TB, controlPlanes, workers int) {
	t.Helper()
	suite.budget.Reserve(t, controlPlanes, workers)
}

// testContext is a context bounded by timeout and by the test's deadline.
func testContext(t *testing.T, timeout time.Duration) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), timeout)
	t.Cleanup(cancel)
	return ctx
}
