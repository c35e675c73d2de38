package cri

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/klog/v2"
)

// retry is how often and how patiently kadm asks the runtime again.
type retry struct {
	attempts int
	backoff  time.Duration
}

// kubeadm tries a pull, and a Pod's removal, 5 times; kadm waits a little
// longer between attempts each time, so that a registry or runtime that
// hiccups gets a moment to recover.
var defaultRetry = retry{attempts: 5, backoff: 200 * time.Millisecond}

// pullPermanent reports pull errors that another attempt would only
// repeat: the image does not exist, its name is wrong, the registry refuses
// us, or a whole PullTimeout went by.
func pullPermanent(err error) bool {
	switch CodeOf(err) {
	case NotFound, InvalidArgument, Unauthenticated, PermissionDenied, DeadlineExceeded:
		return true
	}
	return false
}

// do runs f until it succeeds, fails permanently, the caller gives up or
// the attempts run out, and returns its last error.
func (r retry) do(ctx context.Context, permanent func(error) bool, f func() error) error {
	wait := r.backoff
	var err error
	for i := range r.attempts {
		err = f()
		if err == nil || permanent(err) || ctx.Err() != nil || i == r.attempts-1 {
			return err
		}
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-time.After(wait):
		}
		wait *= 2
	}
	return err
}

// Pull pulls image, trying again on failures that may pass.
func Pull(ctx context.Context, rt Runtime, image string) error {
	return pull(ctx, rt, image, defaultRetry)
}

func pull(ctx context.Context, rt Runtime, image string, r retry) error {
	klog.V(1).Infof("pulling: %s", image)
	if err := r.do(ctx, pullPermanent, func() error { return rt.PullImage(ctx, image) }); err != nil {
		return err
	}
	klog.V(1).Infof("done pulling: %s", image)
	return nil
}

// EnsureImages makes sure the runtime has every image, as imagePullPolicy
// says: Always pulls each, IfNotPresent pulls those it lacks, Never pulls
// nothing and fails for each image it lacks (kubeadm would only find out
// when the kubelet cannot start the Pod). serial pulls one image after the
// other; otherwise all at once. The errors come in the order of images.
func EnsureImages(ctx context.Context, rt Runtime, images []string, policy corev1.PullPolicy, serial bool) []error {
	return ensureImages(ctx, rt, images, policy, serial, defaultRetry)
}

func ensureImages(ctx context.Context, rt Runtime, images []string, policy corev1.PullPolicy, serial bool, r retry) []error {
	switch policy {
	case corev1.PullAlways, corev1.PullIfNotPresent, corev1.PullNever:
	default:
		return []error{fmt.Errorf("unsupported pull policy %q", policy)}
	}
	errs := make([]error, len(images))
	ensure := func(i int) {
		image := images[i]
		if policy != corev1.PullAlways {
			exists, err := rt.ImageExists(ctx, image)
			switch {
			case err == nil && exists:
				klog.V(1).Infof("image exists: %s", image)
				return
			case policy == corev1.PullNever && err != nil:
				errs[i] = err
				return
			case policy == corev1.PullNever:
				errs[i] = fmt.Errorf("image %s is not present in the container runtime, and imagePullPolicy is %s: "+
					"import it into the runtime, or set nodeRegistration.imagePullPolicy to %s", image, corev1.PullNever, corev1.PullIfNotPresent)
				return
			case err != nil:
				klog.Warningf("Failed to get image status, image: %q, error: %v", image, err)
			}
		}
		errs[i] = pull(ctx, rt, image, r)
	}
	if serial {
		for i := range images {
			ensure(i)
		}
	} else {
		var wg sync.WaitGroup
		for i := range images {
			wg.Go(func() { ensure(i) })
		}
		wg.Wait()
	}
	var failed []error
	for _, err := range errs {
		if err != nil {
			failed = append(failed, err)
		}
	}
	return failed
}
