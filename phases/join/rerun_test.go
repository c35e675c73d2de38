package joinphases

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"testing"

	"github.com/kadm-project/kadm/cluster/copycerts"
	"github.com/kadm-project/kadm/phases/workflow"
)

// prepareJoin is a control-plane join that downloads the certificates
// uploaded with key.
func prepareJoin(t *testing.T, key string) *fakeData {
	t.Helper()
	d := controlPlaneJoin(t)
	d.cfg.ControlPlane.CertificateKey = key
	uploadCerts(t, d, key)
	return d
}

// runPrepare runs control-plane-prepare and its children, as
// `kadm join` runs them.
func runPrepare(d *fakeData) error {
	w := &workflow.Workflow[Data]{Phases: Phases()}
	_, err := output(func(ctx context.Context) error {
		return w.Run(ctx, d, workflow.RunOptions{Only: "control-plane-prepare"})
	})
	return err
}

func filesOf(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		rel, _ := filepath.Rel(root, path)
		out[rel] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestControlPlanePrepareResumesAfterAFailedWrite: for each file
// control-plane-prepare writes (the downloaded shared certificates, this
// node's certificates, kubeconfigs and manifests), a run that cannot write
// that one file fails; the rerun, with the obstacle gone, completes, keeps
// what the failed run wrote, and leaves the files a run without failure does.
func TestControlPlanePrepareResumesAfterAFailedWrite(t *testing.T) {
	t.Parallel()
	key, err := copycerts.NewCertificateKey()
	if err != nil {
		t.Fatal(err)
	}
	clean := prepareJoin(t, key)
	if err := runPrepare(clean); err != nil {
		t.Fatalf("a run without failure: %v", err)
	}
	want := sortedKeys(filesOf(t, clean.dir))
	if len(want) < 20 {
		t.Fatalf("a clean run wrote only %v", want)
	}
	for _, file := range want {
		t.Run(file, func(t *testing.T) {
			t.Parallel()
			d := prepareJoin(t, key)
			obstacle := filepath.Join(d.dir, file)
			if err := os.MkdirAll(filepath.Join(obstacle, "in-the-way"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := runPrepare(d); err == nil {
				t.Fatalf("the run succeeded with a directory where %s goes", file)
			}
			if err := os.RemoveAll(obstacle); err != nil {
				t.Fatal(err)
			}
			left := filesOf(t, d.dir)
			if err := runPrepare(d); err != nil {
				t.Fatalf("the rerun: %v", err)
			}
			after := filesOf(t, d.dir)
			for path, content := range left {
				if after[path] != content {
					t.Errorf("the rerun changed %s, which the failed run had written", path)
				}
			}
			if got := sortedKeys(after); !slices.Equal(got, want) {
				t.Errorf("files after the rerun %v, want %v", got, want)
			}
		})
	}
}
