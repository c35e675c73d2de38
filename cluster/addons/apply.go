package addons

import (
	"context"
	"errors"
	"fmt"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes"
)

// retryInterval spaces attempts at one API call, as kubeadm does, while the
// API server may still be settling (leader election, RBAC bootstrap).
const retryInterval = 500 * time.Millisecond

// Apply creates every object of the addon, or updates the one already
// there, in order. Each object gets at most timeout (the config's
// timeouts.kubernetesAPICall) of retries. A rerun converges on the same
// objects but keeps what a user may have changed on purpose: the CoreDNS
// replica count and an edited Corefile.
func (a *Addon) Apply(ctx context.Context, client kubernetes.Interface, timeout time.Duration) error {
	for _, o := range a.objects {
		if err := apply(ctx, client, o, timeout); err != nil {
			meta := o.obj.(metav1.Object)
			return fmt.Errorf("%s addon: create or update %s %s: %w", a.Name, o.obj.GetObjectKind().GroupVersionKind().Kind, qualified(meta), err)
		}
	}
	return nil
}

func qualified(m metav1.Object) string {
	if m.GetNamespace() == "" {
		return m.GetName()
	}
	return m.GetNamespace() + "/" + m.GetName()
}

// apply picks the typed client for o and what of a live copy to carry over.
func apply(ctx context.Context, c kubernetes.Interface, o object, timeout time.Duration) error {
	u := upsert{timeout: timeout, keep: o.keep}
	switch obj := o.obj.(type) {
	case *corev1.ServiceAccount:
		return createOrUpdate(ctx, u, c.CoreV1().ServiceAccounts(obj.Namespace), obj, nil)
	case *corev1.ConfigMap:
		return createOrUpdate(ctx, u, c.CoreV1().ConfigMaps(obj.Namespace), obj, nil)
	case *corev1.Service:
		return createOrUpdate(ctx, u, c.CoreV1().Services(obj.Namespace), obj, keepAllocatedIPs)
	case *rbacv1.ClusterRole:
		return createOrUpdate(ctx, u, c.RbacV1().ClusterRoles(), obj, nil)
	case *rbacv1.ClusterRoleBinding:
		return createOrUpdate(ctx, u, c.RbacV1().ClusterRoleBindings(), obj, nil)
	case *rbacv1.Role:
		return createOrUpdate(ctx, u, c.RbacV1().Roles(obj.Namespace), obj, nil)
	case *rbacv1.RoleBinding:
		return createOrUpdate(ctx, u, c.RbacV1().RoleBindings(obj.Namespace), obj, nil)
	case *appsv1.Deployment:
		return createOrUpdate(ctx, u, c.AppsV1().Deployments(obj.Namespace), obj, keepReplicas)
	case *appsv1.DaemonSet:
		return createOrUpdate(ctx, u, c.AppsV1().DaemonSets(obj.Namespace), obj, nil)
	}
	return fmt.Errorf("kadm cannot apply a %T", o.obj)
}

// typedClient is the part of a client-go typed client that createOrUpdate uses.
type typedClient[T any] interface {
	Create(ctx context.Context, obj T, opts metav1.CreateOptions) (T, error)
	Get(ctx context.Context, name string, opts metav1.GetOptions) (T, error)
	Update(ctx context.Context, obj T, opts metav1.UpdateOptions) (T, error)
}

// upsert is how one object is reconciled.
type upsert struct {
	timeout time.Duration
	// keep leaves a live copy alone when it reports true.
	keep func(live runtime.Object) bool
}

// createOrUpdate creates want or, when it exists, replaces it with want
// after carry has copied what must survive from the live copy, retrying
// failures that may pass until the timeout runs out. It reads first: a
// create of an existing Service fails on its clusterIP ("already
// allocated") before the API server notices the name, so create-then-update
// would never reach the update.
func createOrUpdate[E any, P apiObject[E]](ctx context.Context, u upsert, c typedClient[P], want P, carry func(live, next P)) error {
	return retry(ctx, u.timeout, func(ctx context.Context) error {
		live, err := c.Get(ctx, want.GetName(), metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			// A racing creator makes this AlreadyExists, which is retried
			// and then finds the object.
			_, err = c.Create(ctx, want.DeepCopyObject().(P), metav1.CreateOptions{})
			return err
		}
		if err != nil {
			return err
		}
		if u.keep != nil && u.keep(live) {
			return nil
		}
		next := want.DeepCopyObject().(P)
		next.SetResourceVersion(live.GetResourceVersion())
		if carry != nil {
			carry(live, next)
		}
		_, err = c.Update(ctx, next, metav1.UpdateOptions{})
		return err
	})
}

// keepReplicas leaves a Deployment's scale as it is: someone (or an
// autoscaler) may have scaled CoreDNS to the cluster's size.
func keepReplicas(live, next *appsv1.Deployment) {
	if live.Spec.Replicas != nil {
		next.Spec.Replicas = live.Spec.Replicas
	}
}

// keepAllocatedIPs carries over the addresses and families the API server
// filled in, which may not change once set; a different clusterIP is left
// for the API server to reject, as it cannot move.
func keepAllocatedIPs(live, next *corev1.Service) {
	if next.Spec.ClusterIP != live.Spec.ClusterIP {
		return
	}
	if len(next.Spec.ClusterIPs) == 0 {
		next.Spec.ClusterIPs = live.Spec.ClusterIPs
	}
	if len(next.Spec.IPFamilies) == 0 {
		next.Spec.IPFamilies = live.Spec.IPFamilies
	}
	if next.Spec.IPFamilyPolicy == nil {
		next.Spec.IPFamilyPolicy = live.Spec.IPFamilyPolicy
	}
}

// retry runs call until it succeeds, fails for good, or timeout (bounded
// by ctx) runs out; then it returns the last error.
func retry(ctx context.Context, timeout time.Duration, call func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for {
		err := call(ctx)
		if err == nil || permanent(err) {
			return err
		}
		t := time.NewTimer(retryInterval)
		select {
		case <-ctx.Done():
			t.Stop()
			if errors.Is(context.Cause(ctx), context.DeadlineExceeded) {
				return fmt.Errorf("gave up after %s (timeouts.kubernetesAPICall): %w", timeout, err)
			}
			return fmt.Errorf("%w (last error: %v)", context.Cause(ctx), err)
		case <-t.C:
		}
	}
}

// permanent reports whether err will not go away by trying again: the
// request itself is wrong, so only a change of the objects or of the
// cluster can help.
func permanent(err error) bool {
	return apierrors.IsInvalid(err) || apierrors.IsBadRequest(err) || apierrors.IsMethodNotSupported(err) ||
		apierrors.IsNotAcceptable(err) || apierrors.IsUnsupportedMediaType(err) || apierrors.IsRequestEntityTooLargeError(err)
}
