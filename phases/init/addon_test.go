package initphases

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/scheme"

	"github.com/kadm-project/kadm/cluster/addons"
	"github.com/kadm-project/kadm/phases/workflow"
)

// newAddonData is the shared test data with edit applied.
func newAddonData(t *testing.T, edit func(*testData)) *testData {
	t.Helper()
	d := newTestData(t)
	if edit != nil {
		edit(d)
	}
	return d
}

func runAddons(t *testing.T, d Data) (string, error) {
	t.Helper()
	var out bytes.Buffer
	ctx := workflow.WithReporter(context.Background(), &workflow.TextReporter{Out: &out})
	if err := runCoreDNS(ctx, d); err != nil {
		return out.String(), err
	}
	err := runKubeProxy(ctx, d)
	return out.String(), err
}

func TestAddonPhases(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		edit        func(*testData)
		wantOut     []string
		wantObjects bool
		wantClient  bool
	}{
		{
			name:        "install",
			wantOut:     []string{"[addons] Applied essential addon: CoreDNS\n", "[addons] Applied essential addon: kube-proxy\n"},
			wantObjects: true, wantClient: true,
		},
		{
			name: "dry run creates nothing",
			edit: func(d *testData) { d.dryRun = true },
			wantOut: []string{
				"[dryrun] Would perform action CREATE on resource \"deployments\" in API group \"apps/v1\"\n[dryrun] Resource name \"coredns\"",
				"[dryrun] Would perform action CREATE on resource \"daemonsets\" in API group \"apps/v1\"\n[dryrun] Resource name \"kube-proxy\"",
				"[addons] Applied essential addon: CoreDNS\n",
			},
		},
		{
			name:    "print manifest creates nothing",
			edit:    func(d *testData) { d.printManifest = true },
			wantOut: []string{"---\napiVersion: apps/v1\nkind: Deployment\n", "---\napiVersion: apps/v1\nkind: DaemonSet\n"},
		},
		{
			name: "disabled addons are skipped",
			edit: func(d *testData) { d.cluster.DNS.Disabled, d.cluster.Proxy.Disabled = true, true },
			wantOut: []string{
				"[addons] Skipping the addon/coredns phase. The addon is disabled.\n",
				"[addons] Skipping the addon/kube-proxy phase. The addon is disabled.\n",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := newAddonData(t, tt.edit)
			out, err := runAddons(t, d)
			if err != nil {
				t.Fatalf("addon phases: %v", err)
			}
			for _, want := range tt.wantOut {
				if !strings.Contains(out, want) {
					t.Errorf("output lacks %q:\n%s", want, out)
				}
			}
			if got := len(d.client.Actions()) > 0; got != tt.wantObjects {
				t.Errorf("cluster touched = %v, want %v (%d actions)", got, tt.wantObjects, len(d.client.Actions()))
			}
			if got := d.clientCalls.Load() > 0; got != tt.wantClient {
				t.Errorf("client built = %v, want %v", got, tt.wantClient)
			}
		})
	}
}

// TestPrintManifestParses decodes every document --print-manifest prints.
func TestPrintManifestParses(t *testing.T) {
	t.Parallel()
	out, err := runAddons(t, newAddonData(t, func(d *testData) { d.printManifest = true }))
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, doc := range strings.Split(out, "---\n") {
		if strings.TrimSpace(doc) == "" {
			continue
		}
		obj, _, err := scheme.Codecs.UniversalDeserializer().Decode([]byte(doc), nil, nil)
		if err != nil {
			t.Fatalf("document does not decode: %v\n%s", err, doc)
		}
		kinds = append(kinds, obj.GetObjectKind().GroupVersionKind().Kind)
	}
	want := "ServiceAccount ClusterRole ClusterRoleBinding ConfigMap Deployment Service " +
		"ServiceAccount ClusterRoleBinding Role RoleBinding ConfigMap DaemonSet"
	if got := strings.Join(kinds, " "); got != want {
		t.Errorf("printed kinds = %s, want %s", got, want)
	}
}

func TestKubeProxyConfigFromData(t *testing.T) {
	t.Parallel()
	d := newAddonData(t, func(d *testData) {
		d.kubeProxyDoc = []byte("apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nmode: nftables\n")
	})
	if _, err := runAddons(t, d); err != nil {
		t.Fatal(err)
	}
	cm, err := d.client.CoreV1().ConfigMaps(addons.Namespace).Get(context.Background(), "kube-proxy", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(cm.Data["config.conf"], "\nmode: nftables\n") {
		t.Errorf("config.conf does not carry the config file's mode:\n%s", cm.Data["config.conf"])
	}
}

// TestAddonBadPatchesChangeNothing: --patches that cannot be read or applied
// fail the phase before any object reaches the cluster.
func TestAddonBadPatchesChangeNothing(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		files   map[string]string // nil: the directory is missing
		wantErr func(d *testData) string
	}{
		{
			name:    "missing patches directory",
			wantErr: func(d *testData) string { return d.patchesDir },
		},
		{
			name:    "patch that does not apply",
			files:   map[string]string{"corednsdeployment+json.yaml": "- {op: test, path: /kind, value: DaemonSet}\n"},
			wantErr: func(*testData) string { return `"corednsdeployment+json.yaml"` },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := newTestData(t)
			if tt.files == nil {
				d.usePatches(filepath.Join(d.root, "no-such-patches"))
			} else {
				d.usePatchFiles(t, tt.files)
			}
			_, err := runAddons(t, d)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr(d)) {
				t.Fatalf("error = %v, want one naming %s", err, tt.wantErr(d))
			}
			if d.patchesErr != nil && !errors.Is(err, d.patchesErr) {
				t.Errorf("error = %v, want the patches directory's error %v", err, d.patchesErr)
			}
			if len(d.client.Actions()) != 0 {
				t.Errorf("the cluster was changed before the refusal: %v", d.client.Actions())
			}
		})
	}
}

// TestAddonPatchesApplied runs --patches end to end: each addon's own target
// is patched once, reported, and the patched object is what reaches the
// cluster.
func TestAddonPatchesApplied(t *testing.T) {
	t.Parallel()
	d := newTestData(t)
	d.usePatchFiles(t, map[string]string{
		"corednsdeployment+merge.yaml": "metadata: {annotations: {patched: coredns}}\n",
		"kubeproxydaemonset.yaml":      "spec: {template: {metadata: {annotations: {patched: kube-proxy}}}}\n",
	})
	out, err := runAddons(t, d)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for line := range strings.Lines(out) {
		if strings.HasPrefix(line, "[patches] ") {
			got = append(got, line)
		}
	}
	want := []string{
		"[patches] Applied patch of type \"application/merge-patch+json\" to target \"corednsdeployment\"\n",
		"[patches] Applied patch of type \"application/strategic-merge-patch+json\" to target \"kubeproxydaemonset\"\n",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("patch lines (-want +got):\n%s", diff)
	}
	ctx := context.Background()
	dns, err := d.client.AppsV1().Deployments(addons.Namespace).Get(ctx, "coredns", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if v := dns.Annotations["patched"]; v != "coredns" {
		t.Errorf("coredns Deployment annotation patched = %q, want coredns", v)
	}
	proxy, err := d.client.AppsV1().DaemonSets(addons.Namespace).Get(ctx, "kube-proxy", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if v := proxy.Spec.Template.Annotations["patched"]; v != "kube-proxy" {
		t.Errorf("kube-proxy Pod template annotation patched = %q, want kube-proxy", v)
	}
}
