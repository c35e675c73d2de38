package cri

import (
	"context"
	"errors"

	"k8s.io/klog/v2"
)

// RemovePods stops and removes every Pod sandbox of the runtime, and so
// every container the kubelet started, as kubeadm's reset does. Each Pod is
// tried several times; the errors of the Pods that remain are joined.
func RemovePods(ctx context.Context, rt Runtime) error {
	return removePods(ctx, rt, defaultRetry)
}

func removePods(ctx context.Context, rt Runtime, r retry) error {
	pods, err := rt.PodSandboxes(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, p := range pods {
		klog.V(5).Infof("[reset] Removing the Pod sandbox %s (%s/%s)", p.ID, p.Namespace, p.Name)
		err := r.do(ctx, gone, func() error {
			if err := rt.StopPodSandbox(ctx, p.ID); err != nil {
				return err
			}
			return rt.RemovePodSandbox(ctx, p.ID)
		})
		if err != nil && !gone(err) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// gone reports a sandbox that no longer exists, which is what removing it
// is for: the kubelet, stopping, or a concurrent reset removed it.
func gone(err error) bool { return CodeOf(err) == NotFound }
