package patches

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/types"
)

// TestApplyTypes shows what sets the three patch types apart on the same
// Pod: a strategic patch merges the containers list by name, a merge patch
// replaces the list, a JSON patch edits one element in place.
func TestApplyTypes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		file  string
		patch string
		typ   types.PatchType
		check func(t *testing.T, pod map[string]any)
	}{
		{
			name: "strategic merges lists by key",
			file: "kube-apiserver.yaml",
			patch: `spec:
  containers:
  - name: kube-apiserver
    resources:
      requests:
        cpu: 500m
`,
			typ: types.StrategicMergePatchType,
			check: func(t *testing.T, pod map[string]any) {
				cs := containers(t, pod)
				if len(cs) != 2 {
					t.Fatalf("containers = %v, want both kept", cs)
				}
				if got := cs[0]["resources"]; !cmp.Equal(got, map[string]any{"requests": map[string]any{"cpu": "500m"}}) {
					t.Errorf("resources = %v, want cpu 500m", got)
				}
				if cs[0]["image"] == nil {
					t.Error("the strategic patch dropped the image of the patched container")
				}
			},
		},
		{
			name:  "merge replaces lists",
			file:  "kube-apiserver+merge.json",
			patch: `{"metadata": {"labels": {"tier": "control-plane"}}, "spec": {"containers": [{"name": "only", "image": "x"}]}}`,
			typ:   types.MergePatchType,
			check: func(t *testing.T, pod map[string]any) {
				if cs := containers(t, pod); len(cs) != 1 || cs[0]["name"] != "only" {
					t.Errorf("containers = %v, want the list replaced", cs)
				}
				labels := pod["metadata"].(map[string]any)["labels"]
				if !cmp.Equal(labels, map[string]any{"component": "kube-apiserver", "tier": "control-plane"}) {
					t.Errorf("labels = %v, want the maps merged", labels)
				}
			},
		},
		{
			name: "json edits in place",
			file: "kube-apiserver+json.yaml",
			patch: `- op: add
  path: /spec/containers/0/command/-
  value: --v=4
- op: remove
  path: /spec/containers/1
`,
			typ: types.JSONPatchType,
			check: func(t *testing.T, pod map[string]any) {
				cs := containers(t, pod)
				if len(cs) != 1 {
					t.Fatalf("containers = %v, want the sidecar removed", cs)
				}
				want := []any{"kube-apiserver", "--secure-port=6443", "--v=4"}
				if !cmp.Equal(cs[0]["command"], want) {
					t.Errorf("command = %v, want %v", cs[0]["command"], want)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := mustLoad(t, map[string]string{tt.file: tt.patch})
			out, applied, err := s.Apply(TargetKubeAPIServer, []byte(podYAML))
			if err != nil {
				t.Fatal(err)
			}
			want := []Applied{{File: tt.file, Target: TargetKubeAPIServer, Type: tt.typ}}
			if diff := cmp.Diff(want, applied); diff != "" {
				t.Errorf("applied (-want +got):\n%s", diff)
			}
			tt.check(t, decode(t, out))
		})
	}
}

func containers(t *testing.T, pod map[string]any) []map[string]any {
	t.Helper()
	var cs []map[string]any
	for _, c := range pod["spec"].(map[string]any)["containers"].([]any) {
		cs = append(cs, c.(map[string]any))
	}
	return cs
}

// TestApplyOrder checks that files apply in the order of their names and
// documents in the order of the file, whatever their types: each patch here
// only works on the result of the one before.
func TestApplyOrder(t *testing.T) {
	t.Parallel()
	s := mustLoad(t, map[string]string{
		"kube-apiserver2+json.yaml": `- op: test
  path: /metadata/annotations/step
  value: "2"
- op: replace
  path: /metadata/annotations/step
  value: "3"
`,
		"kube-apiserver1+merge.yaml": `metadata:
  annotations:
    step: "1"
---
metadata:
  annotations:
    step: "2"
`,
		"kube-apiserver0.yaml": `metadata:
  annotations:
    step: "0"
`,
		// Other targets' patches are not applied to this one.
		"etcd+json.yaml": `[{"op": "remove", "path": "/spec"}]`,
	})
	wantFiles := []string{"etcd+json.yaml", "kube-apiserver0.yaml", "kube-apiserver1+merge.yaml", "kube-apiserver2+json.yaml"}
	if diff := cmp.Diff(wantFiles, s.Files()); diff != "" {
		t.Errorf("Files() (-want +got):\n%s", diff)
	}
	out, applied, err := s.Apply(TargetKubeAPIServer, []byte(podYAML))
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, a := range applied {
		files = append(files, a.File)
	}
	wantApplied := []string{"kube-apiserver0.yaml", "kube-apiserver1+merge.yaml", "kube-apiserver1+merge.yaml", "kube-apiserver2+json.yaml"}
	if diff := cmp.Diff(wantApplied, files); diff != "" {
		t.Errorf("applied files (-want +got):\n%s", diff)
	}
	if got := decode(t, out)["metadata"].(map[string]any)["annotations"]; !cmp.Equal(got, map[string]any{"step": "3"}) {
		t.Errorf("annotations = %v, want step 3", got)
	}
}

func TestApplyFailureNamesFile(t *testing.T) {
	t.Parallel()
	s := mustLoad(t, map[string]string{
		"kube-apiserver+json.yaml": "[]\n---\n- op: remove\n  path: /spec/nothing\n",
	})
	_, _, err := s.Apply(TargetKubeAPIServer, []byte(podYAML))
	want := `apply document 2 of patch file "kube-apiserver+json.yaml" (application/json-patch+json) to kube-apiserver`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("Apply() error = %v, want one containing %q", err, want)
	}
}

func TestApplyWithoutPatches(t *testing.T) {
	t.Parallel()
	var none *Set
	s := mustLoad(t, map[string]string{"etcd.yaml": "metadata: {}"})
	for _, set := range []*Set{none, s} {
		out, applied, err := set.Apply(TargetKubeAPIServer, []byte(podYAML))
		if err != nil || len(applied) != 0 || string(out) != podYAML {
			t.Errorf("Apply() = %q, %v, %v; want the document unchanged", out, applied, err)
		}
	}
	if _, _, err := s.Apply("kube-proxy", []byte(podYAML)); err == nil || !strings.Contains(err.Error(), "unknown patch target") {
		t.Errorf("Apply(kube-proxy) error = %v, want an unknown target", err)
	}
}

// TestOtherTargets covers the targets that are not Pods: their strategic
// patches use their own types' merge keys (Deployment, DaemonSet) or, for the
// KubeletConfiguration, which has none, replace lists as a merge patch does.
func TestOtherTargets(t *testing.T) {
	t.Parallel()
	tests := []struct {
		target, doc, patch string
		check              func(t *testing.T, m map[string]any)
	}{
		{
			target: TargetKubeletConfiguration,
			doc:    "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nclusterDNS: [10.96.0.10]\nauthentication: {anonymous: {enabled: false}, webhook: {enabled: true}}\n",
			patch:  "clusterDNS: [10.96.0.53]\nauthentication: {webhook: {cacheTTL: 1m0s}}\n",
			check: func(t *testing.T, m map[string]any) {
				if !cmp.Equal(m["clusterDNS"], []any{"10.96.0.53"}) {
					t.Errorf("clusterDNS = %v, want the list replaced", m["clusterDNS"])
				}
				want := map[string]any{"anonymous": map[string]any{"enabled": false}, "webhook": map[string]any{"enabled": true, "cacheTTL": "1m0s"}}
				if !cmp.Equal(m["authentication"], want) {
					t.Errorf("authentication = %v, want the maps merged", m["authentication"])
				}
			},
		},
		{
			target: TargetCoreDNSDeployment,
			doc:    "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n      - name: coredns\n        image: a\n      - name: other\n        image: b\n",
			patch:  "spec:\n  template:\n    spec:\n      containers:\n      - name: coredns\n        image: c\n",
			check: func(t *testing.T, m map[string]any) {
				cs := m["spec"].(map[string]any)["template"].(map[string]any)["spec"].(map[string]any)["containers"].([]any)
				if len(cs) != 2 || cs[0].(map[string]any)["image"] != "c" {
					t.Errorf("containers = %v, want coredns's image changed and the other kept", cs)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			t.Parallel()
			s := mustLoad(t, map[string]string{tt.target + ".yaml": tt.patch})
			out, _, err := s.Apply(tt.target, []byte(tt.doc))
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, decode(t, out))
		})
	}
}
