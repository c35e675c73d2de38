//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/kadm-project/kadm/internal/golden"
	"github.com/kadm-project/kadm/test/e2e/framework"
)

// initGolden is the state an init leaves, recorded from upstream kubeadm
// (TestKubeadmReference -update): kadm must leave the same.
const initGolden = "testdata/init.golden"

// Objects the API server and the controllers create on their own schedule;
// they say nothing about the init and appear at varying times.
var ignoredConfigMaps = []string{"kube-root-ca.crt", "extension-apiserver-authentication", "kube-apiserver-legacy-service-account-token-tracking"}

// snapshot describes what an init left on a host and in its cluster, as
// sorted lines: files with their modes under /etc/kubernetes,
// /var/lib/kubelet and the top of /var/lib/etcd, and the names of the API
// objects an init creates, the Node's labels and taints. Names that differ
// between runs (node, address, token ID, timestamps) are replaced by
// placeholders, so runs on different hosts compare equal.
func snapshot(ctx context.Context, h *framework.Host, client kubernetes.Interface, tokenID string) ([]string, error) {
	lines, err := fileLines(h, "/etc/kubernetes", "/var/lib/kubelet")
	if err != nil {
		return nil, err
	}
	etcd, err := os.ReadDir(h.Path("/var/lib/etcd"))
	if err != nil {
		return nil, err
	}
	for _, e := range etcd {
		lines = append(lines, "etcd-data /var/lib/etcd/"+e.Name())
	}
	objects, err := snapshotObjects(ctx, h, client)
	if err != nil {
		return nil, err
	}
	lines = append(lines, objects...)

	replacer := strings.NewReplacer(h.Name, "<node>", h.IP.String(), "<ip>", tokenID, "<token-id>")
	timestamp := regexp.MustCompile(`\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}`)
	seen := map[string]bool{}
	var out []string
	for _, l := range lines {
		l = timestamp.ReplaceAllString(replacer.Replace(l), "<time>")
		if !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	sort.Strings(out)
	return out, nil
}

func snapshotObjects(ctx context.Context, h *framework.Host, client kubernetes.Interface) ([]string, error) {
	var lines []string
	add := func(format string, args ...any) { lines = append(lines, fmt.Sprintf(format, args...)) }
	// The API server labels the RBAC objects it creates itself.
	notDefault := metav1.ListOptions{LabelSelector: "!kubernetes.io/bootstrapping"}
	for _, ns := range []string{metav1.NamespaceSystem, metav1.NamespacePublic} {
		cms, err := client.CoreV1().ConfigMaps(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			return nil, err
		}
		for _, cm := range cms.Items {
			if slices.Contains(ignoredConfigMaps, cm.Name) {
				continue
			}
			var keys []string
			for k := range cm.Data {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			add("configmap %s/%s keys=%s", ns, cm.Name, strings.Join(keys, ","))
		}
		secrets, err := client.CoreV1().Secrets(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			return nil, err
		}
		for _, s := range secrets.Items {
			add("secret %s/%s type=%s", ns, s.Name, s.Type)
		}
		roles, err := client.RbacV1().Roles(ns).List(ctx, notDefault)
		if err != nil {
			return nil, err
		}
		for _, r := range roles.Items {
			add("role %s/%s", ns, r.Name)
		}
		bindings, err := client.RbacV1().RoleBindings(ns).List(ctx, notDefault)
		if err != nil {
			return nil, err
		}
		for _, b := range bindings.Items {
			add("rolebinding %s/%s role=%s", ns, b.Name, b.RoleRef.Name)
		}
	}
	croles, err := client.RbacV1().ClusterRoles().List(ctx, notDefault)
	if err != nil {
		return nil, err
	}
	for _, r := range croles.Items {
		add("clusterrole %s", r.Name)
	}
	cbindings, err := client.RbacV1().ClusterRoleBindings().List(ctx, notDefault)
	if err != nil {
		return nil, err
	}
	for _, b := range cbindings.Items {
		add("clusterrolebinding %s role=%s", b.Name, b.RoleRef.Name)
	}
	ns := metav1.NamespaceSystem
	services, err := client.CoreV1().Services(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	for _, s := range services.Items {
		add("service %s/%s", ns, s.Name)
	}
	var accounts []string
	deployments, err := client.AppsV1().Deployments(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	for _, d := range deployments.Items {
		add("deployment %s/%s", ns, d.Name)
		accounts = append(accounts, d.Spec.Template.Spec.ServiceAccountName)
	}
	daemonsets, err := client.AppsV1().DaemonSets(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	for _, d := range daemonsets.Items {
		add("daemonset %s/%s", ns, d.Name)
		accounts = append(accounts, d.Spec.Template.Spec.ServiceAccountName)
	}
	// The controller-manager creates service accounts of its own as it
	// goes: record those the init's workloads run as.
	for _, a := range accounts {
		if a == "" {
			continue
		}
		if _, err := client.CoreV1().ServiceAccounts(ns).Get(ctx, a, metav1.GetOptions{}); err != nil {
			add("serviceaccount %s/%s: %v", ns, a, err)
		} else {
			add("serviceaccount %s/%s", ns, a)
		}
	}
	node, err := client.CoreV1().Nodes().Get(ctx, h.Name, metav1.GetOptions{})
	if err != nil {
		return nil, err
	}
	for k, v := range node.Labels {
		add("node <node> label %s=%s", k, v)
	}
	for _, t := range node.Spec.Taints {
		// The node lifecycle controller's own taints come and go.
		if !strings.HasPrefix(t.Key, "node.kubernetes.io/") {
			add("node <node> taint %s=%s:%s", t.Key, t.Value, t.Effect)
		}
	}
	return lines, nil
}

// compareGolden compares lines with a golden file and shows a unified diff.
// Only the recording test (upstream kubeadm's) may rewrite it, with -update:
// kadm is measured against kubeadm, never against itself.
func compareGolden(t *testing.T, path string, got []string, record bool) {
	t.Helper()
	text := strings.Join(got, "\n") + "\n"
	if record {
		golden.Assert(t, path, []byte(text))
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s: %v (record it from upstream kubeadm: hack/e2e.sh -run TestKubeadmReference -update)", path, err)
	}
	if string(want) != text {
		t.Errorf("the state differs from %s, recorded from upstream kubeadm (-want +got):\n%s", path, golden.Diff(path, string(want), text))
	}
}

const kubeletDir = "/var/lib/kubelet"

// kubeadmKubeletFiles are what kubeadm and kadm write under kubeletDir.
var kubeadmKubeletFiles = []string{"config.yaml", "kubeadm-flags.env", "instance-config.yaml", "pki"}

// kubeletOwned tells a path of the host that the kubelet makes for its own use
// under /var/lib/kubelet (Pods' directories, checkpoints, its managers' state,
// its sockets): everything there but kubeadmKubeletFiles. It differs between
// runs and says nothing about what kadm did.
func kubeletOwned(p string) bool {
	rel, ok := strings.CutPrefix(p, kubeletDir+"/")
	if !ok {
		return false
	}
	first, _, _ := strings.Cut(rel, "/")
	return !slices.Contains(kubeadmKubeletFiles, first)
}

// fileLines lists every file and directory under the host's roots with its
// kind and mode, one line each, as the snapshots compare them; what the
// kubelet keeps for itself is left out.
func fileLines(h *framework.Host, roots ...string) ([]string, error) {
	var lines []string
	for _, root := range roots {
		err := filepath.WalkDir(h.Path(root), func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(h.Path(root), path)
			if rel == "." {
				return nil
			}
			if kubeletOwned(filepath.Join(root, rel)) {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			info, err := d.Info()
			if err != nil {
				return err
			}
			kind := "file"
			switch {
			case d.IsDir():
				kind = "dir"
			case info.Mode()&fs.ModeSymlink != 0:
				kind = "symlink"
			}
			lines = append(lines, fmt.Sprintf("%s %s %04o", kind, filepath.Join(root, rel), info.Mode().Perm()))
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return lines, nil
}
