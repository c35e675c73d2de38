package patches

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/types"
)

func TestParseName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		target string
		typ    types.PatchType
		skip   string
		err    string
	}{
		{name: "kube-apiserver.yaml", target: "kube-apiserver", typ: types.StrategicMergePatchType},
		{name: "etcd.json", target: "etcd", typ: types.StrategicMergePatchType},
		{name: "kube-apiserver0+merge.yaml", target: "kube-apiserver", typ: types.MergePatchType},
		{name: "kube-scheduler-late+json.json", target: "kube-scheduler", typ: types.JSONPatchType},
		{name: "kube-controller-manager+strategic.yaml", target: "kube-controller-manager", typ: types.StrategicMergePatchType},
		{name: "kubeletconfiguration+merge.yaml", target: "kubeletconfiguration", typ: types.MergePatchType},
		{name: "corednsdeployment.yaml", target: "corednsdeployment", typ: types.StrategicMergePatchType},
		{name: "kubeproxydaemonset+json.yaml", target: "kubeproxydaemonset", typ: types.JSONPatchType},
		// The suffix ends at the first dot: what follows is not a patch type.
		{name: "etcd.v2+json.yaml", target: "etcd", typ: types.StrategicMergePatchType},
		{name: "kube-apiserver+foo.yaml", err: "unknown or missing patch type"},
		{name: "kube-apiserver+.yaml", err: "unknown or missing patch type"},
		{name: "etcd.yml", skip: "extension"},
		{name: "etcd", skip: "extension"},
		{name: ".yaml", skip: "extension"},
		{name: "README.md", skip: "extension"},
		{name: "apiserver.yaml", skip: "unknown target"},
		{name: "Etcd.yaml", skip: "unknown target"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			target, typ, skip, err := parseName(tt.name)
			switch {
			case tt.err != "":
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Errorf("error = %v, want one containing %q", err, tt.err)
				}
			case tt.skip != "":
				if err != nil || !strings.Contains(skip, tt.skip) {
					t.Errorf("skip = %q, error = %v; want a reason containing %q", skip, err, tt.skip)
				}
			default:
				if err != nil || skip != "" || target != tt.target || typ != tt.typ {
					t.Errorf("got (%q, %q, skip %q, %v), want (%q, %q)", target, typ, skip, err, tt.target, tt.typ)
				}
			}
		})
	}
}
