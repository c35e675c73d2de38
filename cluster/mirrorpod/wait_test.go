package mirrorpod

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/kadm-project/kadm/cluster/kube/kubefake"
)

func manifest(image string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "kube-apiserver", Namespace: metav1.NamespaceSystem},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "kube-apiserver", Image: image, Command: []string{"kube-apiserver", "--v=2"}}}},
	}
}

// mirror is the kubelet's mirror of m on cp1: started at started, ready or not.
func mirror(m *corev1.Pod, hash string, started time.Time, isReady bool) *corev1.Pod {
	p := m.DeepCopy()
	p.Name = Name(m.Name, "cp1")
	p.Annotations = map[string]string{ConfigHashAnnotation: hash}
	p.Spec.NodeName = "cp1"
	cond := corev1.ConditionFalse
	if isReady {
		cond = corev1.ConditionTrue
	}
	p.Status = corev1.PodStatus{
		Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: cond}},
		ContainerStatuses: []corev1.ContainerStatus{{Name: m.Spec.Containers[0].Name,
			State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: metav1.NewTime(started)}}}},
	}
	return p
}

func TestWaitRunning(t *testing.T) {
	t.Parallel()
	old, want := manifest("registry.k8s.io/kube-apiserver:v1.36.3"), manifest("registry.k8s.io/kube-apiserver:v1.37.2")
	now := time.Now()
	crashing := mirror(want, "new", now, false)
	crashing.Status.ContainerStatuses[0].State = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff", Message: "back-off 10s"}}
	crashing.Status.ContainerStatuses[0].RestartCount = 3
	crashing.Status.ContainerStatuses[0].LastTerminationState.Terminated = &corev1.ContainerStateTerminated{ExitCode: 1}
	otherCommand := mirror(want, "new", now, true)
	otherCommand.Spec.Containers[0].Command = []string{"kube-apiserver"}
	tests := []struct {
		name    string
		mirror  *corev1.Pod
		since   time.Time
		before  string
		wantErr string
	}{
		{name: "the new Pod runs", mirror: mirror(want, "new", now.Add(time.Second), true), since: now},
		{name: "started in the second the manifest was written", mirror: mirror(want, "new", now.Truncate(time.Second), true), since: now},
		{name: "an unchanged Pod runs", mirror: mirror(want, "h", now.Add(-time.Hour), true)},
		{name: "still the old image", mirror: mirror(old, "old", now.Add(-time.Hour), true), since: now,
			wantErr: "mirror Pod kube-system/kube-apiserver-cp1: it runs image registry.k8s.io/kube-apiserver:v1.36.3, not registry.k8s.io/kube-apiserver:v1.37.2: context deadline exceeded"},
		{name: "the previous command line", mirror: otherCommand, since: now, wantErr: "it runs the previous command line"},
		{name: "crashing", mirror: crashing, since: now,
			wantErr: "its container is waiting: CrashLoopBackOff (back-off 10s), restarted 3 times, last exit code 1"},
		{name: "not ready", mirror: mirror(want, "new", now.Add(time.Second), false), since: now, wantErr: "its container runs (restarted 0 times) but the Pod is not Ready"},
		{name: "a container from before the write", mirror: mirror(want, "old", now.Add(-time.Hour), true), since: now, before: "old",
			wantErr: "before the new manifest was written"},
		{name: "an unchanged hash after the kubelet settled", mirror: mirror(want, "old", now.Add(-time.Hour), true), since: now.Add(-Settle - time.Second), before: "old"},
		{name: "a changed hash, an old container", mirror: mirror(want, "other", now.Add(-time.Hour), true), since: now.Add(-Settle - time.Second), before: "old",
			wantErr: "before the new manifest was written"},
		{name: "no mirror Pod", since: now, wantErr: "mirror Pod kube-system/kube-apiserver-cp1: it does not exist (yet)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client := fake.NewClientset()
			if tt.mirror != nil {
				client = fake.NewClientset(tt.mirror)
			}
			ctx, cancel := context.WithTimeout(t.Context(), 700*time.Millisecond)
			defer cancel()
			err := WaitRunning(ctx, kubefake.Wrap(client), "cp1", want, tt.since, tt.before)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("WaitRunning = %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("WaitRunning = %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
}

// TestWaitRunningFollowsTheKubelet: the wait returns once the kubelet replaces the mirror
// Pod (here on the third read), not before.
func TestWaitRunningFollowsTheKubelet(t *testing.T) {
	t.Parallel()
	old, want := manifest("registry.k8s.io/kube-apiserver:v1.36.3"), manifest("registry.k8s.io/kube-apiserver:v1.37.2")
	since := time.Now()
	client := fake.NewClientset(mirror(old, "old", since.Add(-time.Hour), true))
	if got := ConfigHash(t.Context(), kubefake.Wrap(client), "cp1", "kube-apiserver"); got != "old" {
		t.Fatalf("ConfigHash = %q, want old", got)
	}
	reads := 0
	client.PrependReactor("get", "pods", func(k8stesting.Action) (bool, runtime.Object, error) {
		if reads++; reads == 3 {
			if err := client.Tracker().Update(corev1.SchemeGroupVersion.WithResource("pods"), mirror(want, "new", time.Now(), true), metav1.NamespaceSystem); err != nil {
				t.Error(err)
			}
		}
		return false, nil, nil
	})
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	if err := WaitRunning(ctx, kubefake.Wrap(client), "cp1", want, since, "old"); err != nil {
		t.Fatal(err)
	}
	if reads != 3 {
		t.Errorf("WaitRunning returned after %d reads, want 3: the third made the new Pod appear", reads)
	}
}

// TestWaitRunningReportsTheLastState: a read that the wait's end cuts short (client-go's
// rate limiter refuses a request the deadline would cut) does not hide what the read
// before saw, a crashing container.
func TestWaitRunningReportsTheLastState(t *testing.T) {
	t.Parallel()
	want := manifest("registry.k8s.io/kube-apiserver:v1.37.2")
	crashing := mirror(want, "new", time.Now(), false)
	crashing.Status.ContainerStatuses[0].State = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff"}}
	client := fake.NewClientset(crashing)
	ctx, cancel := context.WithCancelCause(t.Context())
	defer cancel(nil)
	reads := 0
	client.PrependReactor("get", "pods", func(k8stesting.Action) (bool, runtime.Object, error) {
		if reads++; reads == 1 {
			return false, nil, nil
		}
		cancel(context.DeadlineExceeded)
		return true, nil, errors.New("client rate limiter Wait returned an error: rate: Wait(n=1) would exceed context deadline")
	})
	err := WaitRunning(ctx, kubefake.Wrap(client), "cp1", want, time.Now(), "")
	if err == nil || !strings.Contains(err.Error(), "its container is waiting: CrashLoopBackOff") || strings.Contains(err.Error(), "rate limiter") {
		t.Fatalf("WaitRunning = %v, want the crashing container, not the cut read", err)
	}
}
