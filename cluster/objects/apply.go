package objects

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes"
)

// Writer makes an object exist as described. Phases take a Writer so that
// --dry-run swaps the cluster for a list of what would be written.
type Writer interface {
	// Apply creates obj, or brings the existing object in line with it, and
	// returns the object as stored (with its UID) or, on a dry run, obj itself.
	Apply(ctx context.Context, obj runtime.Object) (runtime.Object, error)
}

// ApplyAll applies objs in order and stops at the first failure.
func ApplyAll(ctx context.Context, w Writer, objs ...runtime.Object) error {
	for _, obj := range objs {
		if _, err := w.Apply(ctx, obj); err != nil {
			return err
		}
	}
	return nil
}

// Client writes to a cluster. An existing object keeps what kadm does not
// own (labels, annotations and ConfigMap keys others added, such as the
// bootstrap signer's signatures in cluster-info); an object already in the
// wanted state is not written again, so reruns change nothing.
type Client struct {
	Clientset kubernetes.Interface
	Policy    Policy
}

var _ Writer = (*Client)(nil)

// Apply creates or updates obj, retrying transient failures until the
// policy's timeout; a failure names the object.
func (c *Client) Apply(ctx context.Context, obj runtime.Object) (runtime.Object, error) {
	ref, err := RefOf(obj)
	if err != nil {
		return nil, err
	}
	var live runtime.Object
	switch o := obj.(type) {
	case *corev1.Secret:
		live, err = apply(ctx, c.Policy, c.Clientset.CoreV1().Secrets(o.Namespace), o, reconcileSecret)
	case *corev1.ConfigMap:
		live, err = apply(ctx, c.Policy, c.Clientset.CoreV1().ConfigMaps(o.Namespace), o, reconcileConfigMap)
	case *rbacv1.Role:
		live, err = apply(ctx, c.Policy, c.Clientset.RbacV1().Roles(o.Namespace), o, reconcileRole)
	case *rbacv1.RoleBinding:
		live, err = apply(ctx, c.Policy, c.Clientset.RbacV1().RoleBindings(o.Namespace), o, reconcileRoleBinding)
	case *rbacv1.ClusterRole:
		live, err = apply(ctx, c.Policy, c.Clientset.RbacV1().ClusterRoles(), o, reconcileClusterRole)
	case *rbacv1.ClusterRoleBinding:
		live, err = apply(ctx, c.Policy, c.Clientset.RbacV1().ClusterRoleBindings(), o, reconcileClusterRoleBinding)
	}
	if err != nil {
		return nil, fmt.Errorf("create or update %s: %w", ref, err)
	}
	return live, nil
}

// DryRun writes nothing: it reports each object it is given.
type DryRun struct {
	Report func(Ref)
}

var _ Writer = DryRun{}

func (d DryRun) Apply(_ context.Context, obj runtime.Object) (runtime.Object, error) {
	ref, err := RefOf(obj)
	if err != nil {
		return nil, err
	}
	if d.Report != nil {
		d.Report(ref)
	}
	return obj, nil
}

// resource is the part of a typed client that apply needs.
type resource[T any] interface {
	Create(context.Context, T, metav1.CreateOptions) (T, error)
	Get(context.Context, string, metav1.GetOptions) (T, error)
	Update(context.Context, T, metav1.UpdateOptions) (T, error)
	Delete(context.Context, string, metav1.DeleteOptions) error
}

type object[T any] interface {
	metav1.Object
	runtime.Object
	DeepCopy() T
}

// outcome is what reconciling a live object with the wanted one calls for.
type outcome int

const (
	unchanged outcome = iota
	update
	// recreate: a field that differs is immutable (a binding's roleRef, a
	// Secret's type), so the object is deleted and created anew.
	recreate
)

// apply reads the object first rather than creating blindly so that an
// up-to-date object costs one GET and no write. The update carries the
// resourceVersion that was read: a concurrent change is a conflict, retried.
func apply[T object[T]](ctx context.Context, p Policy, r resource[T], want T, reconcile func(live, want T) outcome) (T, error) {
	var result T
	err := Retry(ctx, p, func(ctx context.Context) error {
		live, err := r.Get(ctx, want.GetName(), metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			result, err = create(ctx, r, want)
			return err
		}
		if err != nil {
			return err
		}
		merged := live.DeepCopy()
		switch reconcile(merged, want) {
		case unchanged:
			result = live
			return nil
		case recreate:
			uid := live.GetUID()
			err := r.Delete(ctx, live.GetName(), metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &uid}})
			if err != nil && !apierrors.IsNotFound(err) {
				return err
			}
			result, err = create(ctx, r, want)
			return err
		}
		result, err = r.Update(ctx, merged, metav1.UpdateOptions{})
		if apierrors.IsNotFound(err) {
			// Deleted since the GET: the next attempt creates it.
			return Retryable(err)
		}
		return err
	})
	return result, err
}

func create[T any](ctx context.Context, r resource[T], want T) (T, error) {
	created, err := r.Create(ctx, want, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		// Created by someone else since the GET: the next attempt reconciles it.
		return created, Retryable(err)
	}
	return created, err
}
