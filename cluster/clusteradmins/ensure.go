package clusteradmins

import (
	"context"
	"errors"
	"fmt"

	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kadm-project/kadm/cluster/kube"

	"github.com/kadm-project/kadm/cluster/objects"
)

// Name is both the group admin.conf's certificate is in and the binding
// that grants that group cluster-admin.
const Name = "kubeadm:cluster-admins"

// Binding is the kubeadm:cluster-admins ClusterRoleBinding.
func Binding() *rbacv1.ClusterRoleBinding {
	return &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: Name},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "cluster-admin"},
		Subjects:   []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: rbacv1.GroupKind, Name: Name}},
	}
}

// Ensure makes the binding exist and returns admin, the client kadm then
// uses. admin.conf's group has no rights until the binding exists, so a
// forbidden create means it is missing: superAdmin (from super-admin.conf,
// in system:masters) creates it then. superAdmin may be nil when that file
// is absent, which is only an error if the binding is needed.
func Ensure(ctx context.Context, admin, superAdmin kube.Interface, p objects.Policy) (kube.Interface, error) {
	forbidden := false
	err := objects.Retry(ctx, p, func(ctx context.Context) error {
		err := create(ctx, admin)
		if apierrors.IsForbidden(err) {
			forbidden = true
			return nil
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("create ClusterRoleBinding %q with admin.conf: %w", Name, err)
	}
	if !forbidden {
		return admin, nil
	}
	if superAdmin == nil {
		return nil, errors.New("ClusterRoleBinding \"" + Name + "\" is missing and admin.conf may not create it; " +
			"super-admin.conf, which could, is absent: create the binding with a cluster-admin kubeconfig and rerun")
	}
	err = objects.Retry(ctx, p, func(ctx context.Context) error { return create(ctx, superAdmin) })
	if err != nil {
		return nil, fmt.Errorf("create ClusterRoleBinding %q with super-admin.conf: %w", Name, err)
	}
	// The API server's RBAC cache learns of the binding a moment later;
	// until then admin.conf is still forbidden. Its own create of the
	// binding answers AlreadyExists only once it is authorized, since
	// authorization comes before the existence check.
	err = objects.Retry(ctx, p, func(ctx context.Context) error {
		err := create(ctx, admin)
		if apierrors.IsForbidden(err) {
			return objects.Retryable(err)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("wait for admin.conf to be granted cluster-admin through %q: %w", Name, err)
	}
	return admin, nil
}

// create treats an existing binding as success: its presence is what matters.
func create(ctx context.Context, c kube.Interface) error {
	_, err := c.RbacV1().ClusterRoleBindings().Create(ctx, Binding(), metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		return nil
	}
	return err
}
