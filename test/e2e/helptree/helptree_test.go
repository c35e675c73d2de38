package helptree

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kadm-project/kadm/app"
	"github.com/kadm-project/kadm/test/e2e/framework"
)

// referenceVersion is the kubeadm release whose command line kadm's is.
const referenceVersion = "v1.37.2"

// kubeadmBinary is $KUBEADM_BIN, else the kubeadm that make e2e-bins
// builds. Without one the test is skipped, except in the e2e suite
// (requireKubeadm), which always has it.
func kubeadmBinary(t *testing.T) string {
	bin := os.Getenv("KUBEADM_BIN")
	if bin == "" {
		bin = filepath.Join(framework.BinDir(), "kubeadm")
	}
	if _, err := os.Stat(bin); err != nil {
		if requireKubeadm {
			t.Fatalf("upstream kubeadm %s is needed: %v (make e2e-bins builds it)", referenceVersion, err)
		}
		t.Skipf("no upstream kubeadm %s (%v): set KUBEADM_BIN or run make e2e-bins", referenceVersion, err)
	}
	return bin
}

func kubeadmHelp(bin string) helpFunc {
	return func(args []string) (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		out, err := exec.CommandContext(ctx, bin, append(args, "--help")...).CombinedOutput()
		if err != nil {
			return "", errors.Join(err, errors.New(string(out)))
		}
		return string(out), nil
	}
}

// kadmHelp runs kadm's real entry point in this process, invoked as
// "kubeadm", so that the help texts name the same program.
func kadmHelp(args []string) (string, error) {
	var out bytes.Buffer
	argv := append(append([]string{"kubeadm"}, args...), "--help")
	err := app.Run(context.Background(), argv, app.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &out})
	if err != nil {
		return "", errors.Join(err, errors.New(out.String()))
	}
	return out.String(), nil
}

// TestHelpTreeMatchesKubeadm walks the help of every command of kubeadm
// v1.37.2 and of kadm and compares commands, usage lines, aliases, the
// phases in order and every flag with its shorthand, type and default.
// Each difference must be listed in testdata/intended.txt with its reason,
// and each entry there must still match a difference.
func TestHelpTreeMatchesKubeadm(t *testing.T) {
	t.Parallel()
	bin := kubeadmBinary(t)
	if v, err := exec.Command(bin, "version", "-o", "short").Output(); err != nil || strings.TrimSpace(string(v)) != referenceVersion {
		t.Fatalf("%s is not kubeadm %s: version %q, %v", bin, referenceVersion, v, err)
	}
	reference, err := walk(kubeadmHelp(bin), 4)
	if err != nil {
		t.Fatal(err)
	}
	ours, err := walk(kadmHelp, 1)
	if err != nil {
		t.Fatal(err)
	}
	text, err := os.ReadFile("testdata/intended.txt")
	if err != nil {
		t.Fatal(err)
	}
	list, err := parseIntended(string(text))
	if err != nil {
		t.Fatalf("testdata/intended.txt: %v", err)
	}
	unexplained, stale := check(differences(reference, ours), list)
	for _, d := range unexplained {
		t.Errorf("not an intended difference: %s", d)
	}
	for _, e := range stale {
		t.Errorf("testdata/intended.txt:%d matches no difference any more, remove it: %s -- %s", e.line, e.pattern, e.reason)
	}
	t.Logf("%d commands of kubeadm, %d of kadm", len(reference), len(ours))
}
