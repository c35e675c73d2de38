package initphases

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	k8stesting "k8s.io/client-go/testing"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/node/machine"
	"github.com/kadm-project/kadm/phases/workflow"
)

// hostPhases need the machine's kubelet and running control plane, which a
// unit test does not have; the e2e suite reruns those on real nodes.
var hostPhases = []string{"preflight", "wait-control-plane", "kubelet-finalize"}

// newRerunData is a control-plane init that uploads its certificates, on a
// fake init system and cluster, whose Node the kubelet has registered.
func newRerunData(t *testing.T) *testData {
	t.Helper()
	d := newTestData(t)
	tok, err := config.NewBootstrapTokenString("abcdef.0123456789abcdef")
	if err != nil {
		t.Fatal(err)
	}
	d.cfg.BootstrapTokens[0].Token = tok
	d.cfg.CertificateKey = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	d.uploadCerts = true
	d.host = machine.Host{InitSystem: (&fakeSystemd{}).detect}
	if _, err := d.client.CoreV1().Nodes().Create(t.Context(), &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "cp-1"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	d.client.ClearActions()
	return d
}

// diskPhases write only to the node's disk; the others only to the cluster.
var diskPhases = []string{"certs", "kubeconfig", "etcd", "control-plane", "kubelet-start"}

// runInit runs the init workflow without hostPhases and skip, as kadm init
// runs it.
func runInit(t *testing.T, d *testData, skip ...string) error {
	t.Helper()
	printManifest := false
	w := &workflow.Workflow[Data]{Phases: Phases(&printManifest)}
	return w.Run(workflow.WithReporter(t.Context(), &objectsRecorder{}), d, workflow.RunOptions{Skip: append(skip, hostPhases...)})
}

// onDiskOf is new data for a cluster of its own over the files disk wrote,
// which the cluster phases only read.
func onDiskOf(t *testing.T, disk *testData) *testData {
	t.Helper()
	d := newRerunData(t)
	d.root, d.certDir, d.kubeConfigDir, d.manifestDir, d.kubeletDir = disk.root, disk.certDir, disk.kubeConfigDir, disk.manifestDir, disk.kubeletDir
	d.kubeConfigPath, d.cluster.CertificatesDir, d.cluster.Etcd.Local.DataDir = disk.kubeConfigPath, disk.cluster.CertificatesDir, disk.cluster.Etcd.Local.DataDir
	return d
}

// files is every file under root by path relative to it, with its content.
func filesUnder(t *testing.T, root string) map[string]string {
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

func keysOf[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestInitResumesAfterAFailedWrite: for each file init writes, a run that
// cannot write that one file fails; the next run, with the obstacle gone,
// completes, keeps every file the failed run wrote as it was, and leaves
// the files a run without failure leaves.
func TestInitResumesAfterAFailedWrite(t *testing.T) {
	t.Parallel()
	clean := newRerunData(t)
	if err := runInit(t, clean); err != nil {
		t.Fatalf("a run without failure: %v", err)
	}
	want := keysOf(filesUnder(t, clean.root))
	if len(want) < 25 {
		t.Fatalf("a clean run wrote only %v", want)
	}
	for _, file := range want {
		t.Run(file, func(t *testing.T) {
			t.Parallel()
			d := newRerunData(t)
			obstacle := filepath.Join(d.root, file)
			if err := os.MkdirAll(filepath.Join(obstacle, "in-the-way"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := runInit(t, d); err == nil {
				t.Fatalf("the run succeeded with a directory where %s goes", file)
			}
			if err := os.RemoveAll(obstacle); err != nil {
				t.Fatal(err)
			}
			left := filesUnder(t, d.root)
			if err := runInit(t, d); err != nil {
				t.Fatalf("the rerun: %v", err)
			}
			after := filesUnder(t, d.root)
			for path, content := range left {
				if after[path] != content {
					t.Errorf("the rerun changed %s, which the failed run had written", path)
				}
			}
			if got := keysOf(after); !slices.Equal(got, want) {
				t.Errorf("files after the rerun %v, want %v", got, want)
			}
		})
	}
}

// failOnce fails the n-th write to the cluster once, with an error no retry
// cures, as a forbidden request or a crash at that point would end a run.
type failOnce struct {
	mu     sync.Mutex
	n, met int
}

func (f *failOnce) react(a k8stesting.Action) (bool, runtime.Object, error) {
	if !slices.Contains([]string{"create", "update", "patch", "delete"}, a.GetVerb()) {
		return false, nil, nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.met++
	if f.met == f.n {
		return true, nil, apierrors.NewBadRequest(fmt.Sprintf("injected failure of write %d", f.n))
	}
	return false, nil, nil
}

// caData is a CA bundle embedded in a kubeconfig; each run makes its own CA.
var caData = regexp.MustCompile(`certificate-authority-data: \S+`)

// clusterState is what a run of d leaves in the cluster, in a form two runs
// compare by: every object by kind, namespace and name, with the content
// that does not change from run to run (Secrets' keys, not their sealed or
// timed values; paths under the run's own directory; its CA). The token
// upload-certs makes as the kubeadm-certs Secret's owner has a new ID in
// every run; a run that fails after making it leaves it behind, as kubeadm
// does: it authenticates nothing and expires within two hours.
func clusterState(t *testing.T, d *testData) map[string]string {
	c := d.client
	t.Helper()
	ctx := t.Context()
	out := map[string]string{}
	add := func(kind string, list any) {
		b, err := json.Marshal(list)
		if err != nil {
			t.Fatal(err)
		}
		var l struct {
			Items []map[string]any `json:"items"`
		}
		if err := json.Unmarshal(b, &l); err != nil {
			t.Fatal(err)
		}
		for _, o := range l.Items {
			meta, _ := o["metadata"].(map[string]any)
			name := fmt.Sprint(meta["name"])
			if kind == "Secret" && strings.HasPrefix(name, "bootstrap-token-") && name != "bootstrap-token-abcdef" {
				name = "bootstrap-token-<owner of kubeadm-certs>"
			}
			key := fmt.Sprintf("%s %v/%s", kind, meta["namespace"], name)
			delete(o, "metadata")
			if data, ok := o["data"].(map[string]any); ok && kind == "Secret" {
				o["data"] = keysOf(data)
			}
			b, _ := json.Marshal(o)
			out[key] = caData.ReplaceAllString(strings.ReplaceAll(string(b), d.root, "$ROOT"), "certificate-authority-data: <CA>")
		}
	}
	must := func(items any, err error) any {
		if err != nil {
			t.Fatal(err)
		}
		return items
	}
	all := metav1.ListOptions{}
	core := c.CoreV1()
	add("Secret", must(core.Secrets("").List(ctx, all)))
	add("ConfigMap", must(core.ConfigMaps("").List(ctx, all)))
	add("ServiceAccount", must(core.ServiceAccounts("").List(ctx, all)))
	add("Service", must(core.Services("").List(ctx, all)))
	add("Node", must(core.Nodes().List(ctx, all)))
	rbac, apps := c.RbacV1(), c.AppsV1()
	add("Role", must(rbac.Roles("").List(ctx, all)))
	add("RoleBinding", must(rbac.RoleBindings("").List(ctx, all)))
	add("ClusterRole", must(rbac.ClusterRoles().List(ctx, all)))
	add("ClusterRoleBinding", must(rbac.ClusterRoleBindings().List(ctx, all)))
	add("Deployment", must(apps.Deployments("").List(ctx, all)))
	add("DaemonSet", must(apps.DaemonSets("").List(ctx, all)))
	return out
}

// TestInitResumesAfterAFailedAPIWrite: for each write init makes to the
// cluster, a run whose write fails stops there; the rerun completes and
// leaves the cluster as a run without failure does. The node's files are
// made once: the cluster phases only read them.
func TestInitResumesAfterAFailedAPIWrite(t *testing.T) {
	t.Parallel()
	disk := newRerunData(t)
	if err := runInit(t, disk); err != nil {
		t.Fatalf("a run without failure: %v", err)
	}
	clean := onDiskOf(t, disk)
	if err := runInit(t, clean, diskPhases...); err != nil {
		t.Fatalf("a run without failure: %v", err)
	}
	want := clusterState(t, clean)
	writes := 0
	for _, a := range clean.client.Actions() {
		if slices.Contains([]string{"create", "update", "patch", "delete"}, a.GetVerb()) {
			writes++
		}
	}
	if writes < 20 {
		t.Fatalf("a clean run made only %d writes", writes)
	}
	for n := 1; n <= writes; n++ {
		t.Run(fmt.Sprintf("write %d", n), func(t *testing.T) {
			t.Parallel()
			d := onDiskOf(t, disk)
			fail := &failOnce{n: n}
			d.client.PrependReactor("*", "*", fail.react)
			if err := runInit(t, d, diskPhases...); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("injected failure of write %d", n)) {
				t.Fatalf("the run with write %d failing: %v, want that failure", n, err)
			}
			if err := runInit(t, d, diskPhases...); err != nil {
				t.Fatalf("the rerun: %v", err)
			}
			got := clusterState(t, d)
			for _, k := range keysOf(want) {
				if got[k] != want[k] {
					t.Errorf("after the rerun %s is\n%s\nwant\n%s", k, got[k], want[k])
				}
			}
			if extra := slices.DeleteFunc(keysOf(got), func(k string) bool { _, ok := want[k]; return ok }); len(extra) > 0 {
				t.Errorf("the rerun left objects a clean run does not: %v", extra)
			}
		})
	}
}
