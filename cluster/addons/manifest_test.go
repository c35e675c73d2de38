package addons

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/client-go/kubernetes/scheme"
)

// TestManifestDecodes checks that --print-manifest output is a stream of
// YAML documents the API machinery decodes back into the very objects kadm
// would apply.
func TestManifestDecodes(t *testing.T) {
	t.Parallel()
	for _, a := range bothAddons(t) {
		t.Run(a.Name, func(t *testing.T) {
			t.Parallel()
			b, err := a.Manifest()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(b, []byte("---\n")) {
				t.Errorf("manifest does not open with a document separator")
			}
			docs := strings.Split(strings.TrimPrefix(string(b), "---\n"), "\n---\n")
			want := a.Objects()
			if len(docs) != len(want) {
				t.Fatalf("manifest has %d documents, want %d", len(docs), len(want))
			}
			for i, doc := range docs {
				got, _, err := scheme.Codecs.UniversalDeserializer().Decode([]byte(doc), nil, nil)
				if err != nil {
					t.Fatalf("document %d does not decode: %v\n%s", i+1, err, doc)
				}
				if !equality.Semantic.DeepEqual(want[i], got) {
					t.Errorf("document %d decodes to\n%#v\nwant\n%#v", i+1, got, want[i])
				}
			}
		})
	}
}

func TestDryRunReport(t *testing.T) {
	t.Parallel()
	a, err := CoreDNS(cluster(nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := a.DryRunReport()
	if err != nil {
		t.Fatal(err)
	}
	report := string(b)
	for _, want := range []string{
		`[dryrun] Would perform action CREATE on resource "serviceaccounts" in API group "core/v1"` + "\n" +
			`[dryrun] Resource name "coredns", namespace "kube-system"` + "\n[dryrun] Attached object:\napiVersion: v1\nkind: ServiceAccount\n",
		`[dryrun] Would perform action CREATE on resource "clusterroles" in API group "rbac.authorization.k8s.io/v1"` + "\n" +
			`[dryrun] Resource name "system:coredns", namespace ""`,
		`[dryrun] Would perform action CREATE on resource "deployments" in API group "apps/v1"` + "\n" +
			`[dryrun] Resource name "coredns", namespace "kube-system"`,
		`[dryrun] Would perform action CREATE on resource "services" in API group "core/v1"` + "\n" +
			`[dryrun] Resource name "kube-dns", namespace "kube-system"`,
	} {
		if !strings.Contains(report, want) {
			t.Errorf("dry-run report lacks\n%s\nin\n%s", want, report)
		}
	}
	if got, want := strings.Count(report, "[dryrun] Attached object:"), len(a.Objects()); got != want {
		t.Errorf("dry-run report shows %d objects, want %d", got, want)
	}
}

func TestPatches(t *testing.T) {
	t.Parallel()
	annotate := func(target string, obj []byte) ([]byte, error) {
		return bytes.Replace(obj, []byte("\nmetadata:\n"), fmt.Appendf(nil, "\nmetadata:\n  annotations:\n    patched-as: %s\n", target), 1), nil
	}
	rename := func(_ string, obj []byte) ([]byte, error) {
		return bytes.Replace(obj, []byte("\n  name: "), []byte("\n  name: other-"), 1), nil
	}
	failing := func(string, []byte) ([]byte, error) { return nil, fmt.Errorf("bad patch file") }
	tests := []struct {
		name    string
		patch   PatchFunc
		wantErr string
	}{
		{name: "patches reach the workloads by target", patch: annotate},
		{name: "a patch may not rename", patch: rename, wantErr: "may not change an object's apiVersion, kind, name or namespace"},
		{name: "patch errors surface", patch: failing, wantErr: "bad patch file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dns, dnsErr := CoreDNS(cluster(nil), tt.patch)
			proxy, proxyErr := KubeProxy(proxyInput(nil), tt.patch)
			if tt.wantErr != "" {
				for name, err := range map[string]error{"CoreDNS": dnsErr, "KubeProxy": proxyErr} {
					if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
						t.Errorf("%s error = %v, want one containing %q", name, err, tt.wantErr)
					}
				}
				return
			}
			if dnsErr != nil || proxyErr != nil {
				t.Fatalf("CoreDNS: %v; KubeProxy: %v", dnsErr, proxyErr)
			}
			if got := find[*appsv1.Deployment](t, dns, "coredns").Annotations["patched-as"]; got != PatchTargetCoreDNSDeployment {
				t.Errorf("coredns Deployment patched as %q, want %q", got, PatchTargetCoreDNSDeployment)
			}
			if got := find[*appsv1.DaemonSet](t, proxy, "kube-proxy").Annotations["patched-as"]; got != PatchTargetKubeProxyDaemonSet {
				t.Errorf("kube-proxy DaemonSet patched as %q, want %q", got, PatchTargetKubeProxyDaemonSet)
			}
		})
	}
}
