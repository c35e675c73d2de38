package mirrorpod

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kadm-project/kadm/cluster/kube"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ConfigHashAnnotation is where the kubelet writes the hash of the static Pod it runs.
const ConfigHashAnnotation = "kubernetes.io/config.hash"

// pollInterval is how often a wait reads the mirror Pod. kubeadm reads it every second;
// the kubelet updates it within a second of a change.
const pollInterval = 500 * time.Millisecond

// Settle is how long the kubelet may take to notice a rewritten manifest: it rereads its
// manifest directory every 20 seconds besides reacting to file events. A Pod that still
// has its old config hash after that, and runs what the new manifest says, is one the
// kubelet treats as unchanged (the manifests differ only in what it fills in anyway).
const Settle = 25 * time.Second

// Name is the mirror Pod of the static Pod component on node.
func Name(component, node string) string { return component + "-" + node }

// ConfigHash is the kubelet's hash of the static Pod component it runs on node now; empty
// when the mirror Pod cannot be read.
func ConfigHash(ctx context.Context, client kube.Interface, node, component string) string {
	p, err := client.CoreV1().Pods(metav1.NamespaceSystem).Get(ctx, Name(component, node), metav1.GetOptions{})
	if err != nil {
		return ""
	}
	return p.Annotations[ConfigHashAnnotation]
}

// WaitRunning waits until node's kubelet runs want: its mirror Pod has want's image and
// command, is Ready, and its container started at or after since (unless since is zero,
// for a Pod that did not change), or it kept the config hash before had while running
// want for Settle. API errors (the API server may be the component restarting) are
// retried. When ctx ends, the error says what was seen last, not the read it cut short.
func WaitRunning(ctx context.Context, client kube.Interface, node string, want *corev1.Pod, since time.Time, before string) error {
	name := Name(want.Name, node)
	last := "not read yet"
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	for {
		p, err := client.CoreV1().Pods(metav1.NamespaceSystem).Get(ctx, name, metav1.GetOptions{})
		switch {
		case err != nil && ctx.Err() != nil:
			// The wait's end cut this read short: what the read before saw says more.
		case apierrors.IsNotFound(err):
			last = "it does not exist (yet)"
		case err != nil:
			last = "the API server did not answer: " + err.Error()
		default:
			var ok bool
			if ok, last = runs(p, want, since, before); ok {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("mirror Pod %s/%s: %s: %w", metav1.NamespaceSystem, name, last, context.Cause(ctx))
		case <-tick.C:
		}
	}
}

// runs tells whether p is the mirror of a running, ready want, and if not, why.
func runs(p, want *corev1.Pod, since time.Time, before string) (bool, string) {
	if len(p.Spec.Containers) == 0 || len(want.Spec.Containers) == 0 {
		return false, "it has no container"
	}
	got, wc := p.Spec.Containers[0], want.Spec.Containers[0]
	if got.Image != wc.Image {
		return false, fmt.Sprintf("it runs image %s, not %s", got.Image, wc.Image)
	}
	if !slices.Equal(got.Command, wc.Command) || !slices.Equal(got.Args, wc.Args) {
		return false, "it runs the previous command line"
	}
	status, ok := containerStatus(p, wc.Name)
	if !ok {
		return false, "its container has not started yet"
	}
	if status.State.Running == nil {
		return false, "its container is " + describe(status)
	}
	started := status.State.Running.StartedAt.Time
	if !since.IsZero() && started.Before(since.Truncate(time.Second)) {
		unchanged := before != "" && p.Annotations[ConfigHashAnnotation] == before
		if !unchanged || time.Since(since) < Settle {
			return false, fmt.Sprintf("its container started at %s, before the new manifest was written", started.UTC().Format(time.RFC3339))
		}
	}
	if !ready(p) {
		return false, fmt.Sprintf("its container runs (restarted %d times) but the Pod is not Ready", status.RestartCount)
	}
	return true, ""
}

func containerStatus(p *corev1.Pod, name string) (corev1.ContainerStatus, bool) {
	for _, s := range p.Status.ContainerStatuses {
		if s.Name == name {
			return s, true
		}
	}
	return corev1.ContainerStatus{}, false
}

func ready(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// describe says what a container that does not run is doing.
func describe(s corev1.ContainerStatus) string {
	var b strings.Builder
	switch {
	case s.State.Waiting != nil:
		fmt.Fprintf(&b, "waiting: %s", s.State.Waiting.Reason)
		if m := s.State.Waiting.Message; m != "" {
			fmt.Fprintf(&b, " (%s)", m)
		}
	case s.State.Terminated != nil:
		fmt.Fprintf(&b, "terminated: %s, exit code %d", s.State.Terminated.Reason, s.State.Terminated.ExitCode)
	default:
		b.WriteString("in an unknown state")
	}
	if s.RestartCount > 0 {
		fmt.Fprintf(&b, ", restarted %d times", s.RestartCount)
	}
	if t := s.LastTerminationState.Terminated; t != nil {
		fmt.Fprintf(&b, ", last exit code %d", t.ExitCode)
	}
	return b.String()
}
