package main

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestJoinCommands(t *testing.T) {
	t.Parallel()
	out := "Your Kubernetes control-plane has initialized successfully!\n\n" +
		"Then you can join any number of worker nodes by running the following on each as root:\n\n" +
		"kadm join 10.78.1.2:6443 --token abcdef.0123456789abcdef \\\n" +
		"\t--discovery-token-ca-cert-hash sha256:00ff \n"
	want := "kadm join 10.78.1.2:6443 --token abcdef.0123456789abcdef \\\n\t--discovery-token-ca-cert-hash sha256:00ff "
	if got := joinCommands(out); got != want {
		t.Errorf("joinCommands = %q, want %q", got, want)
	}
	if got := joinCommands("[preflight] Running pre-flight checks\n"); got != "" {
		t.Errorf("joinCommands without a join command = %q", got)
	}
}

func TestNodeColumns(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name          string
		node          corev1.Node
		status, roles string
	}{
		{"ready control plane", corev1.Node{
			ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"node-role.kubernetes.io/control-plane": "", "kubernetes.io/os": "linux"}},
			Status:     corev1.NodeStatus{Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue}}},
		}, "Ready", "control-plane"},
		{"cordoned worker", corev1.Node{
			Spec:   corev1.NodeSpec{Unschedulable: true},
			Status: corev1.NodeStatus{Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionFalse}}},
		}, "NotReady,SchedulingDisabled", "<none>"},
		{"no status yet", corev1.Node{}, "Unknown", "<none>"},
	} {
		if got := nodeStatus(tc.node); got != tc.status {
			t.Errorf("%s: status %q, want %q", tc.name, got, tc.status)
		}
		if got := nodeRoles(tc.node); got != tc.roles {
			t.Errorf("%s: roles %q, want %q", tc.name, got, tc.roles)
		}
	}
}
