package upgradephases

import (
	"context"
	"fmt"
	"time"

	"github.com/kadm-project/kadm/cluster/kube"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kadm-project/kadm/cluster/mirrorpod"
	"github.com/kadm-project/kadm/internal/progress"
	"github.com/kadm-project/kadm/node/health"
	"github.com/kadm-project/kadm/node/rollout"
)

// beforeTimeout bounds the read of a mirror Pod's hash before a change: a cluster whose
// API server does not answer then still upgrades, judging by start times alone.
const beforeTimeout = 5 * time.Second

// NewPodWaiter tells that node's kubelet runs a manifest by the Pod's mirror in the API
// (its image, command line, start time and readiness) and by the component's own health
// endpoint on this machine, the one its probes ask; a probe without a host asks address.
func NewPodWaiter(client kube.Interface, node, address string) rollout.Waiter {
	return &podWaiter{client: client, node: node, address: address}
}

type podWaiter struct {
	client  kube.Interface
	node    string
	address string
}

var _ rollout.Waiter = (*podWaiter)(nil)

func (w *podWaiter) Before(ctx context.Context, component string) string {
	ctx, cancel := context.WithTimeout(ctx, beforeTimeout)
	defer cancel()
	return mirrorpod.ConfigHash(ctx, w.client, w.node, component)
}

func (w *podWaiter) Running(ctx context.Context, want *corev1.Pod, since time.Time, before string) error {
	name := metav1.NamespaceSystem + "/" + mirrorpod.Name(want.Name, w.node)
	comp, probed := health.FromProbe(want, w.address)
	if probed {
		progress.Printf(ctx, "[upgrade/staticpods] Waiting for the kubelet to run %s: mirror Pod %s with image %s, Ready, and %s answering\n",
			want.Name, name, want.Spec.Containers[0].Image, comp.URL)
	} else {
		progress.Printf(ctx, "[upgrade/staticpods] Waiting for the kubelet to run %s: mirror Pod %s with image %s, Ready\n",
			want.Name, name, want.Spec.Containers[0].Image)
	}
	start := time.Now()
	if err := mirrorpod.WaitRunning(ctx, w.client, w.node, want, since, before); err != nil {
		return err
	}
	if probed {
		if err := health.WaitHealthy(ctx, comp); err != nil {
			return err
		}
	}
	progress.Printf(ctx, "[upgrade/staticpods] %s runs the manifest written for it and is healthy after %v\n", want.Name, time.Since(start).Round(time.Millisecond))
	return nil
}

func (w *podWaiter) Stopped(ctx context.Context, want *corev1.Pod) error {
	comp, ok := health.FromProbe(want, w.address)
	if !ok {
		return fmt.Errorf("the %s static Pod has no HTTP probe to tell when it stopped", want.Name)
	}
	progress.Printf(ctx, "[upgrade/staticpods] Waiting for %s to stop at %s\n", want.Name, comp.URL)
	return health.WaitDown(ctx, comp)
}
