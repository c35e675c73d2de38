package objects

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// Ref names an object in progress lines and errors. Typed objects built in
// Go carry no TypeMeta, so the kind comes from the Go type.
type Ref struct {
	Kind      string
	Namespace string // empty for cluster-scoped objects
	Name      string
}

func (r Ref) String() string {
	if r.Namespace == "" {
		return fmt.Sprintf("%s %q", r.Kind, r.Name)
	}
	return fmt.Sprintf("%s %q", r.Kind, r.Namespace+"/"+r.Name)
}

// RefOf names obj; it fails for kinds kadm does not write.
func RefOf(obj runtime.Object) (Ref, error) {
	switch o := obj.(type) {
	case *corev1.Secret:
		return Ref{"Secret", o.Namespace, o.Name}, nil
	case *corev1.ConfigMap:
		return Ref{"ConfigMap", o.Namespace, o.Name}, nil
	case *corev1.ServiceAccount:
		return Ref{"ServiceAccount", o.Namespace, o.Name}, nil
	case *corev1.Service:
		return Ref{"Service", o.Namespace, o.Name}, nil
	case *appsv1.Deployment:
		return Ref{"Deployment", o.Namespace, o.Name}, nil
	case *appsv1.DaemonSet:
		return Ref{"DaemonSet", o.Namespace, o.Name}, nil
	case *rbacv1.Role:
		return Ref{"Role", o.Namespace, o.Name}, nil
	case *rbacv1.RoleBinding:
		return Ref{"RoleBinding", o.Namespace, o.Name}, nil
	case *rbacv1.ClusterRole:
		return Ref{"ClusterRole", "", o.Name}, nil
	case *rbacv1.ClusterRoleBinding:
		return Ref{"ClusterRoleBinding", "", o.Name}, nil
	}
	return Ref{}, fmt.Errorf("objects: kadm does not write objects of type %T", obj)
}
