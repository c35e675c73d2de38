// Package kubefake serves kube.Interface from client-go's fake clientset, for
// tests: keep the *fake.Clientset for reactors and recorded actions, and pass
// Wrap(clientset) to the code under test. Only tests import it.
package kubefake

import (
	"context"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	certificatesv1 "k8s.io/api/certificates/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/version"
	"k8s.io/client-go/kubernetes"

	"github.com/kadm-project/kadm/cluster/kube"
)

// Wrap makes any client-go clientset a kube.Interface.
func Wrap(c kubernetes.Interface) kube.Interface { return clientset{c} }

// clientset is every group of kube.Interface over one client-go clientset.
type clientset struct{ c kubernetes.Interface }

func (c clientset) CoreV1() kube.CoreV1                     { return c }
func (c clientset) RbacV1() kube.RbacV1                     { return c }
func (c clientset) AppsV1() kube.AppsV1                     { return c }
func (c clientset) BatchV1() kube.BatchV1                   { return c }
func (c clientset) CertificatesV1() kube.CertificatesV1     { return c }
func (c clientset) AuthenticationV1() kube.AuthenticationV1 { return c }

func (c clientset) ConfigMaps(ns string) kube.Resource[*corev1.ConfigMap, *corev1.ConfigMapList] {
	return c.c.CoreV1().ConfigMaps(ns)
}
func (c clientset) Secrets(ns string) kube.Resource[*corev1.Secret, *corev1.SecretList] {
	return c.c.CoreV1().Secrets(ns)
}
func (c clientset) ServiceAccounts(ns string) kube.Resource[*corev1.ServiceAccount, *corev1.ServiceAccountList] {
	return c.c.CoreV1().ServiceAccounts(ns)
}
func (c clientset) Services(ns string) kube.Resource[*corev1.Service, *corev1.ServiceList] {
	return c.c.CoreV1().Services(ns)
}
func (c clientset) Pods(ns string) kube.Resource[*corev1.Pod, *corev1.PodList] {
	return c.c.CoreV1().Pods(ns)
}
func (c clientset) Nodes() kube.Resource[*corev1.Node, *corev1.NodeList] {
	return c.c.CoreV1().Nodes()
}

func (c clientset) Roles(ns string) kube.Resource[*rbacv1.Role, *rbacv1.RoleList] {
	return c.c.RbacV1().Roles(ns)
}
func (c clientset) RoleBindings(ns string) kube.Resource[*rbacv1.RoleBinding, *rbacv1.RoleBindingList] {
	return c.c.RbacV1().RoleBindings(ns)
}
func (c clientset) ClusterRoles() kube.Resource[*rbacv1.ClusterRole, *rbacv1.ClusterRoleList] {
	return c.c.RbacV1().ClusterRoles()
}
func (c clientset) ClusterRoleBindings() kube.Resource[*rbacv1.ClusterRoleBinding, *rbacv1.ClusterRoleBindingList] {
	return c.c.RbacV1().ClusterRoleBindings()
}

func (c clientset) Deployments(ns string) kube.Resource[*appsv1.Deployment, *appsv1.DeploymentList] {
	return c.c.AppsV1().Deployments(ns)
}
func (c clientset) DaemonSets(ns string) kube.Resource[*appsv1.DaemonSet, *appsv1.DaemonSetList] {
	return c.c.AppsV1().DaemonSets(ns)
}

func (c clientset) CertificateSigningRequests() kube.Resource[*certificatesv1.CertificateSigningRequest, *certificatesv1.CertificateSigningRequestList] {
	return c.c.CertificatesV1().CertificateSigningRequests()
}

func (c clientset) SelfSubjectReviews() kube.SelfSubjectReviews {
	return c.c.AuthenticationV1().SelfSubjectReviews()
}

func (c clientset) Jobs(ns string) kube.Resource[*batchv1.Job, *batchv1.JobList] {
	return c.c.BatchV1().Jobs(ns)
}

// ServerVersion is the fake discovery's FakedServerVersion, which a test sets.
func (c clientset) ServerVersion(context.Context) (*version.Info, error) {
	return c.c.Discovery().ServerVersion()
}
