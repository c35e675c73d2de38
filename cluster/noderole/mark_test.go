package noderole

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/kadm-project/kadm/cluster/kube/kubefake"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/kadm-project/kadm/cluster/objects"
	"github.com/kadm-project/kadm/config"
)

var quick = objects.Policy{Timeout: time.Second, Interval: time.Millisecond}

var noExecute = corev1.Taint{Key: "example.com/dedicated", Value: "db", Effect: corev1.TaintEffectNoExecute}

func node(labels map[string]string, taints ...corev1.Taint) *corev1.Node {
	return &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: "cp1", Labels: labels, ResourceVersion: "1"},
		Spec:       corev1.NodeSpec{Taints: taints},
	}
}

func patches(cs *fake.Clientset) int {
	n := 0
	for _, a := range cs.Actions() {
		if a.GetVerb() == "patch" {
			n++
		}
	}
	return n
}

func TestMark(t *testing.T) {
	t.Parallel()
	cp := config.ControlPlaneTaint()
	tests := []struct {
		name        string
		node        *corev1.Node
		taints      []corev1.Taint
		wantLabels  map[string]string
		wantTaints  []corev1.Taint
		wantPatches int
	}{
		{
			name: "fresh node gets labels and taint", node: node(map[string]string{"kubernetes.io/hostname": "cp1"}), taints: []corev1.Taint{cp},
			wantLabels: map[string]string{"kubernetes.io/hostname": "cp1", ControlPlaneLabel: "", ExcludeFromLBsLabel: ""},
			wantTaints: []corev1.Taint{cp}, wantPatches: 1,
		},
		{
			name: "other taints are kept", node: node(nil, noExecute), taints: []corev1.Taint{cp},
			wantLabels: map[string]string{ControlPlaneLabel: "", ExcludeFromLBsLabel: ""},
			wantTaints: []corev1.Taint{noExecute, cp}, wantPatches: 1,
		},
		{
			name: "taints: [] adds labels only", node: node(nil), taints: []corev1.Taint{},
			wantLabels: map[string]string{ControlPlaneLabel: "", ExcludeFromLBsLabel: ""}, wantPatches: 1,
		},
		{
			name: "a label with a value is reset to empty", node: node(map[string]string{ControlPlaneLabel: "true", ExcludeFromLBsLabel: ""}, cp),
			taints:     []corev1.Taint{cp},
			wantLabels: map[string]string{ControlPlaneLabel: "", ExcludeFromLBsLabel: ""}, wantTaints: []corev1.Taint{cp}, wantPatches: 1,
		},
		{
			name: "an already marked node is not written", node: node(map[string]string{ControlPlaneLabel: "", ExcludeFromLBsLabel: ""}, cp),
			taints:     []corev1.Taint{cp},
			wantLabels: map[string]string{ControlPlaneLabel: "", ExcludeFromLBsLabel: ""}, wantTaints: []corev1.Taint{cp}, wantPatches: 0,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cs := fake.NewClientset(tt.node)
			for range 2 {
				if err := Mark(t.Context(), kubefake.Wrap(cs), quick, "cp1", tt.taints); err != nil {
					t.Fatal(err)
				}
			}
			got, err := cs.CoreV1().Nodes().Get(t.Context(), "cp1", metav1.GetOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.wantLabels, got.Labels); diff != "" {
				t.Errorf("labels (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantTaints, got.Spec.Taints); diff != "" {
				t.Errorf("taints (-want +got):\n%s", diff)
			}
			if n := patches(cs); n != tt.wantPatches {
				t.Errorf("%d patches over two runs, want %d", n, tt.wantPatches)
			}
		})
	}
}

func TestMarkWaitsForTheNode(t *testing.T) {
	t.Parallel()
	cs := fake.NewClientset(node(nil))
	misses := 3
	cs.PrependReactor("get", "nodes", func(k8stesting.Action) (bool, runtime.Object, error) {
		if misses == 0 {
			return false, nil, nil
		}
		misses--
		return true, nil, apierrors.NewNotFound(schema.GroupResource{Resource: "nodes"}, "cp1")
	})
	conflicts := 1
	cs.PrependReactor("patch", "nodes", func(k8stesting.Action) (bool, runtime.Object, error) {
		if conflicts == 0 {
			return false, nil, nil
		}
		conflicts--
		return true, nil, apierrors.NewConflict(schema.GroupResource{Resource: "nodes"}, "cp1", errors.New("kubelet updated it"))
	})
	if err := Mark(t.Context(), kubefake.Wrap(cs), quick, "cp1", []corev1.Taint{config.ControlPlaneTaint()}); err != nil {
		t.Fatal(err)
	}
	got, _ := cs.CoreV1().Nodes().Get(t.Context(), "cp1", metav1.GetOptions{})
	if _, ok := got.Labels[ControlPlaneLabel]; !ok {
		t.Errorf("labels = %v", got.Labels)
	}
}

func TestMarkGivesUpOnAMissingNode(t *testing.T) {
	t.Parallel()
	cs := fake.NewClientset()
	err := Mark(t.Context(), kubefake.Wrap(cs), objects.Policy{Timeout: 30 * time.Millisecond, Interval: time.Millisecond}, "cp1", nil)
	if err == nil || !strings.Contains(err.Error(), `node "cp1" is not registered yet`) || !strings.Contains(err.Error(), "30ms") {
		t.Errorf("error = %v", err)
	}
}

func TestMarkFailsFastWhenForbidden(t *testing.T) {
	t.Parallel()
	cs := fake.NewClientset(node(nil))
	cs.PrependReactor("patch", "nodes", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewForbidden(schema.GroupResource{Resource: "nodes"}, "cp1", errors.New("no"))
	})
	err := Mark(t.Context(), kubefake.Wrap(cs), objects.Policy{Timeout: time.Minute}, "cp1", nil)
	if !apierrors.IsForbidden(err) || !strings.Contains(err.Error(), `mark Node "cp1"`) {
		t.Errorf("error = %v", err)
	}
}

func TestTaintStrings(t *testing.T) {
	t.Parallel()
	got := TaintStrings([]corev1.Taint{config.ControlPlaneTaint(), noExecute})
	want := []string{"node-role.kubernetes.io/control-plane:NoSchedule", "example.com/dedicated=db:NoExecute"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
