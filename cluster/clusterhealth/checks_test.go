package clusterhealth

import (
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/kadm-project/kadm/cluster/kube/kubefake"
	"github.com/kadm-project/kadm/cluster/objects"
)

func node(name string, controlPlane bool, ready corev1.ConditionStatus) *corev1.Node {
	n := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{}},
		Status: corev1.NodeStatus{Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: ready}}}}
	if controlPlane {
		n.Labels["node-role.kubernetes.io/control-plane"] = ""
	}
	return n
}

func TestControlPlaneNodesReady(t *testing.T) {
	t.Parallel()
	c := ControlPlaneNodesReady{Client: kubefake.Wrap(fake.NewClientset(
		node("cp1", true, corev1.ConditionTrue), node("cp2", true, corev1.ConditionUnknown),
		node("worker", false, corev1.ConditionFalse)))}
	_, errs := c.Check(t.Context())
	if len(errs) != 1 || errs[0].Error() != "there are NotReady control-planes in the cluster: [cp2]" {
		t.Errorf("errors %v, want cp2 alone (the worker is no control plane)", errs)
	}
	ok := ControlPlaneNodesReady{Client: kubefake.Wrap(fake.NewClientset(node("cp1", true, corev1.ConditionTrue)))}
	if _, errs := ok.Check(t.Context()); len(errs) != 0 {
		t.Errorf("a Ready control plane: %v", errs)
	}
}

// jobCluster is a cluster whose Job controller sets condition on a Job once read twice.
func jobCluster(t *testing.T, condition batchv1.JobConditionType) (*fake.Clientset, *[]*batchv1.Job) {
	client := fake.NewClientset(node("cp1", true, corev1.ConditionTrue))
	var created []*batchv1.Job
	client.PrependReactor("create", "jobs", func(a k8stesting.Action) (bool, runtime.Object, error) {
		created = append(created, a.(k8stesting.CreateAction).GetObject().(*batchv1.Job))
		return false, nil, nil
	})
	reads := 0
	client.PrependReactor("get", "jobs", func(a k8stesting.Action) (bool, runtime.Object, error) {
		if reads++; reads < 2 || condition == "" {
			return false, nil, nil
		}
		j := created[0].DeepCopy()
		j.Status.Conditions = []batchv1.JobCondition{{Type: condition, Status: corev1.ConditionTrue}}
		return true, j, nil
	})
	return client, &created
}

func TestCreateJob(t *testing.T) {
	t.Parallel()
	client, created := jobCluster(t, batchv1.JobComplete)
	now := time.UnixMilli(1700000000123)
	c := CreateJob{Client: kubefake.Wrap(client), Policy: objects.Policy{}, Image: "registry.k8s.io/pause:3.10.2", Now: func() time.Time { return now }}
	if w, errs := c.Check(t.Context()); len(w)+len(errs) != 0 {
		t.Fatalf("a Job that completes: warnings %v, errors %v", w, errs)
	}
	j := (*created)[0]
	spec := j.Spec.Template.Spec
	if j.Name != "upgrade-health-check-1700000000123" || j.Namespace != "kube-system" || *j.Spec.BackoffLimit != 0 ||
		*j.Spec.TTLSecondsAfterFinished != 65 || spec.Containers[0].Image != "registry.k8s.io/pause:3.10.2" ||
		spec.Tolerations[0].Key != "node-role.kubernetes.io/control-plane" || !*spec.SecurityContext.RunAsNonRoot {
		t.Errorf("Job %+v is not kubeadm's health check", j)
	}

	failing, _ := jobCluster(t, batchv1.JobFailed)
	c.Client = kubefake.Wrap(failing)
	if _, errs := c.Check(t.Context()); len(errs) != 1 || !strings.Contains(errs[0].Error(), "failed: its Pod did not run the image registry.k8s.io/pause:3.10.2") {
		t.Errorf("a failed Job: %v", errs)
	}

	empty := CreateJob{Client: kubefake.Wrap(fake.NewClientset()), Image: "pause"}
	if w, errs := empty.Check(t.Context()); len(errs) != 0 || len(w) != 1 || !strings.Contains(w[0].Error(), "no schedulable Nodes") {
		t.Errorf("no Node: warnings %v, errors %v", w, errs)
	}
}
