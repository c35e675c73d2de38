package objects

import (
	"context"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kadm-project/kadm/cluster/kube"

	"github.com/kadm-project/kadm/internal/progress"
)

// Writer makes an object exist as described. Phases take a Writer so that
// --dry-run swaps the cluster for a list of what would be written.
type Writer interface {
	// Apply creates obj, or brings the existing object in line with it, and
	// returns the object as stored (with its UID) or, on a dry run, obj itself.
	Apply(ctx context.Context, obj runtime.Object, opts ...Option) (runtime.Object, error)
}

// Option changes how Apply treats an object that already exists.
type Option func(*applyOptions)

type applyOptions struct {
	keep func(live runtime.Object) bool
}

// KeepLive leaves an existing object as it is when keep reports true for
// it: a Corefile a user edited survives a rerun, as with kubeadm.
func KeepLive(keep func(live runtime.Object) bool) Option {
	return func(o *applyOptions) { o.keep = keep }
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
// bootstrap signer's signatures in cluster-info, a Deployment's scale, a
// Service's allocated addresses); an object already in the wanted state is
// not written again, so reruns change nothing. Workloads and Services, whose
// live copies carry the API server's defaults, are written with kadm's spec
// on every run, which the API server treats as no change when it is none.
type Client struct {
	Clientset kube.Interface
	Policy    Policy
}

var _ Writer = (*Client)(nil)

// Apply creates or updates obj, retrying transient failures until the
// policy's timeout; a failure names the object.
func (c *Client) Apply(ctx context.Context, obj runtime.Object, opts ...Option) (runtime.Object, error) {
	ref, err := RefOf(obj)
	if err != nil {
		return nil, err
	}
	var o applyOptions
	for _, opt := range opts {
		opt(&o)
	}
	cs, p := c.Clientset, c.Policy
	var live runtime.Object
	switch obj := obj.(type) {
	case *corev1.Secret:
		live, err = apply(ctx, p, o, cs.CoreV1().Secrets(obj.Namespace), obj, reconcileSecret)
	case *corev1.ConfigMap:
		live, err = apply(ctx, p, o, cs.CoreV1().ConfigMaps(obj.Namespace), obj, reconcileConfigMap)
	case *corev1.ServiceAccount:
		live, err = apply(ctx, p, o, cs.CoreV1().ServiceAccounts(obj.Namespace), obj, reconcileServiceAccount)
	case *corev1.Service:
		live, err = apply(ctx, p, o, cs.CoreV1().Services(obj.Namespace), obj, reconcileService)
	case *rbacv1.Role:
		live, err = apply(ctx, p, o, cs.RbacV1().Roles(obj.Namespace), obj, reconcileRole)
	case *rbacv1.RoleBinding:
		live, err = apply(ctx, p, o, cs.RbacV1().RoleBindings(obj.Namespace), obj, reconcileRoleBinding)
	case *rbacv1.ClusterRole:
		live, err = apply(ctx, p, o, cs.RbacV1().ClusterRoles(), obj, reconcileClusterRole)
	case *rbacv1.ClusterRoleBinding:
		live, err = apply(ctx, p, o, cs.RbacV1().ClusterRoleBindings(), obj, reconcileClusterRoleBinding)
	case *appsv1.Deployment:
		live, err = apply(ctx, p, o, cs.AppsV1().Deployments(obj.Namespace), obj, reconcileDeployment)
	case *appsv1.DaemonSet:
		live, err = apply(ctx, p, o, cs.AppsV1().DaemonSets(obj.Namespace), obj, reconcileDaemonSet)
	}
	if err != nil {
		return nil, fmt.Errorf("create or update %s: %w", ref, err)
	}
	return live, nil
}

// DryRun writes nothing: it reports each object it is given as a progress
// line ("[dryrun] Would create or update ...").
type DryRun struct{}

var _ Writer = DryRun{}

func (DryRun) Apply(ctx context.Context, obj runtime.Object, _ ...Option) (runtime.Object, error) {
	ref, err := RefOf(obj)
	if err != nil {
		return nil, err
	}
	progress.Printf(ctx, "[dryrun] Would create or update %s\n", ref)
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
// up-to-date object costs one GET and no write (and so that a Service,
// whose create fails on its clusterIP before its name is checked, reaches
// the update). The update carries the resourceVersion that was read: a
// concurrent change is a conflict, retried.
func apply[T object[T]](ctx context.Context, p Policy, o applyOptions, r resource[T], want T, reconcile func(live, want T) outcome) (T, error) {
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
		if o.keep != nil && o.keep(live) {
			result = live
			return nil
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
