// Package kube is kadm's Kubernetes client: the API groups kadm uses (core,
// rbac, apps, batch, certificates, authentication), with a scheme of their own. client-go's
// clientset registers every API group at start-up, which every kadm command
// paid for, `kadm version` included; this client costs only what it uses.
// Tests pass client-go's fake clientset through kubefake.Wrap.
package kube

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	appsv1 "k8s.io/api/apps/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	batchv1 "k8s.io/api/batch/v1"
	certificatesv1 "k8s.io/api/certificates/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/apimachinery/pkg/version"
	"k8s.io/client-go/gentype"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/util/flowcontrol"
)

// Interface is the part of the Kubernetes API kadm uses. client-go's
// typed clients satisfy each group's interface, so the fake clientset
// serves in tests (kubefake.Wrap).
type Interface interface {
	CoreV1() CoreV1
	RbacV1() RbacV1
	AppsV1() AppsV1
	BatchV1() BatchV1
	CertificatesV1() CertificatesV1
	AuthenticationV1() AuthenticationV1
	// ServerVersion is the API server's version, from /version: what an upgrade starts from.
	ServerVersion(ctx context.Context) (*version.Info, error)
}

// CoreV1 is the core group's resources kadm reads and writes.
type CoreV1 interface {
	ConfigMaps(namespace string) Resource[*corev1.ConfigMap, *corev1.ConfigMapList]
	Secrets(namespace string) Resource[*corev1.Secret, *corev1.SecretList]
	ServiceAccounts(namespace string) Resource[*corev1.ServiceAccount, *corev1.ServiceAccountList]
	Services(namespace string) Resource[*corev1.Service, *corev1.ServiceList]
	Pods(namespace string) Resource[*corev1.Pod, *corev1.PodList]
	Nodes() Resource[*corev1.Node, *corev1.NodeList]
}

// RbacV1 is the RBAC group's resources kadm writes.
type RbacV1 interface {
	Roles(namespace string) Resource[*rbacv1.Role, *rbacv1.RoleList]
	RoleBindings(namespace string) Resource[*rbacv1.RoleBinding, *rbacv1.RoleBindingList]
	ClusterRoles() Resource[*rbacv1.ClusterRole, *rbacv1.ClusterRoleList]
	ClusterRoleBindings() Resource[*rbacv1.ClusterRoleBinding, *rbacv1.ClusterRoleBindingList]
}

// AppsV1 is the apps group's resources kadm writes (the addons).
type AppsV1 interface {
	Deployments(namespace string) Resource[*appsv1.Deployment, *appsv1.DeploymentList]
	DaemonSets(namespace string) Resource[*appsv1.DaemonSet, *appsv1.DaemonSetList]
}

// BatchV1 is the batch group's resource kadm creates: the pre-upgrade health-check Job.
type BatchV1 interface {
	Jobs(namespace string) Resource[*batchv1.Job, *batchv1.JobList]
}

// CertificatesV1 is the certificates group's resource kadm follows.
type CertificatesV1 interface {
	CertificateSigningRequests() Resource[*certificatesv1.CertificateSigningRequest, *certificatesv1.CertificateSigningRequestList]
}

// AuthenticationV1 asks the API server who a client is.
type AuthenticationV1 interface {
	SelfSubjectReviews() SelfSubjectReviews
}

// SelfSubjectReviews creates the one review kadm makes: "who am I".
type SelfSubjectReviews interface {
	Create(ctx context.Context, review *authenticationv1.SelfSubjectReview, opts metav1.CreateOptions) (*authenticationv1.SelfSubjectReview, error)
}

// The groups' versions, with the scheme that encodes and decodes them.
var (
	scheme = newScheme()
	codecs = serializer.NewCodecFactory(scheme)
	params = runtime.NewParameterCodec(scheme)
)

func newScheme() *runtime.Scheme {
	s := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{
		corev1.AddToScheme, rbacv1.AddToScheme, appsv1.AddToScheme, batchv1.AddToScheme, certificatesv1.AddToScheme, authenticationv1.AddToScheme,
	} {
		if err := add(s); err != nil {
			panic(fmt.Sprintf("kube: register an API group: %v", err))
		}
	}
	metav1.AddToGroupVersion(s, schema.GroupVersion{Version: "v1"})
	return s
}

// Client-side rate limit of one client, all its groups together. client-go's
// default, 5 requests a second after a burst of 10 and per group here, held
// init's bootstrap-token and addon phases for 200 ms before each of their
// RBAC requests, seconds in all; kadm's commands make a bounded number of
// requests, and the API server's priority and fairness protects it.
const (
	clientQPS   = 50
	clientBurst = 100
)

// newForConfig builds the client for cfg; its groups share one HTTP
// client, so one connection serves them all, and one rate limiter. New and
// NewFromFile are its callers, and so the one way kadm makes a client.
func newForConfig(cfg *rest.Config) (Interface, error) {
	httpClient, err := rest.HTTPClientFor(cfg)
	if err != nil {
		return nil, err
	}
	if cfg.RateLimiter == nil {
		cfg = rest.CopyConfig(cfg)
		cfg.QPS, cfg.Burst = clientQPS, clientBurst
		cfg.RateLimiter = flowcontrol.NewTokenBucketRateLimiter(clientQPS, clientBurst)
	}
	c := &client{}
	for _, g := range []struct {
		gv   schema.GroupVersion
		path string
		into *rest.Interface
	}{
		{corev1.SchemeGroupVersion, "/api", &c.core},
		{rbacv1.SchemeGroupVersion, "/apis", &c.rbac},
		{appsv1.SchemeGroupVersion, "/apis", &c.apps},
		{batchv1.SchemeGroupVersion, "/apis", &c.batch},
		{certificatesv1.SchemeGroupVersion, "/apis", &c.certificates},
		{authenticationv1.SchemeGroupVersion, "/apis", &c.authentication},
	} {
		rc, err := groupClient(cfg, httpClient, g.gv, g.path)
		if err != nil {
			return nil, fmt.Errorf("build the %s client: %w", g.gv, err)
		}
		*g.into = rc
	}
	return c, nil
}

func groupClient(cfg *rest.Config, httpClient *http.Client, gv schema.GroupVersion, apiPath string) (rest.Interface, error) {
	c := rest.CopyConfig(cfg)
	c.GroupVersion = &gv
	c.APIPath = apiPath
	c.NegotiatedSerializer = codecs.WithoutConversion()
	if c.UserAgent == "" {
		c.UserAgent = rest.DefaultKubernetesUserAgent()
	}
	return rest.RESTClientForConfigAndClient(c, httpClient)
}

// client is Interface over one REST client per group.
type client struct {
	core, rbac, apps, batch, certificates, authentication rest.Interface
}

func (c *client) CoreV1() CoreV1                 { return coreV1{c.core} }
func (c *client) RbacV1() RbacV1                 { return rbacV1{c.rbac} }
func (c *client) AppsV1() AppsV1                 { return appsV1{c.apps} }
func (c *client) BatchV1() BatchV1               { return batchV1{c.batch} }
func (c *client) CertificatesV1() CertificatesV1 { return certificatesV1{c.certificates} }
func (c *client) AuthenticationV1() AuthenticationV1 {
	return authenticationV1{c.authentication}
}

func (c *client) ServerVersion(ctx context.Context) (*version.Info, error) {
	body, err := c.core.Get().AbsPath("/version").Do(ctx).Raw()
	if err != nil {
		return nil, err
	}
	info := &version.Info{}
	if err := json.Unmarshal(body, info); err != nil {
		return nil, fmt.Errorf("read the API server's version: %w", err)
	}
	return info, nil
}

// resource is a typed client for one resource in namespace (empty for
// cluster-scoped ones).
func resource[T interface {
	*E
	runtime.Object
	metav1.Object
}, L interface {
	*LE
	runtime.Object
}, E, LE any](rc rest.Interface, name, namespace string) Resource[T, L] {
	return gentype.NewClientWithList[T, L](name, rc, params, namespace,
		func() T { return new(E) }, func() L { return new(LE) })
}

type coreV1 struct{ rc rest.Interface }

func (g coreV1) ConfigMaps(ns string) Resource[*corev1.ConfigMap, *corev1.ConfigMapList] {
	return resource[*corev1.ConfigMap, *corev1.ConfigMapList](g.rc, "configmaps", ns)
}
func (g coreV1) Secrets(ns string) Resource[*corev1.Secret, *corev1.SecretList] {
	return resource[*corev1.Secret, *corev1.SecretList](g.rc, "secrets", ns)
}
func (g coreV1) ServiceAccounts(ns string) Resource[*corev1.ServiceAccount, *corev1.ServiceAccountList] {
	return resource[*corev1.ServiceAccount, *corev1.ServiceAccountList](g.rc, "serviceaccounts", ns)
}
func (g coreV1) Services(ns string) Resource[*corev1.Service, *corev1.ServiceList] {
	return resource[*corev1.Service, *corev1.ServiceList](g.rc, "services", ns)
}
func (g coreV1) Pods(ns string) Resource[*corev1.Pod, *corev1.PodList] {
	return resource[*corev1.Pod, *corev1.PodList](g.rc, "pods", ns)
}
func (g coreV1) Nodes() Resource[*corev1.Node, *corev1.NodeList] {
	return resource[*corev1.Node, *corev1.NodeList](g.rc, "nodes", "")
}

type rbacV1 struct{ rc rest.Interface }

func (g rbacV1) Roles(ns string) Resource[*rbacv1.Role, *rbacv1.RoleList] {
	return resource[*rbacv1.Role, *rbacv1.RoleList](g.rc, "roles", ns)
}
func (g rbacV1) RoleBindings(ns string) Resource[*rbacv1.RoleBinding, *rbacv1.RoleBindingList] {
	return resource[*rbacv1.RoleBinding, *rbacv1.RoleBindingList](g.rc, "rolebindings", ns)
}
func (g rbacV1) ClusterRoles() Resource[*rbacv1.ClusterRole, *rbacv1.ClusterRoleList] {
	return resource[*rbacv1.ClusterRole, *rbacv1.ClusterRoleList](g.rc, "clusterroles", "")
}
func (g rbacV1) ClusterRoleBindings() Resource[*rbacv1.ClusterRoleBinding, *rbacv1.ClusterRoleBindingList] {
	return resource[*rbacv1.ClusterRoleBinding, *rbacv1.ClusterRoleBindingList](g.rc, "clusterrolebindings", "")
}

type appsV1 struct{ rc rest.Interface }

func (g appsV1) Deployments(ns string) Resource[*appsv1.Deployment, *appsv1.DeploymentList] {
	return resource[*appsv1.Deployment, *appsv1.DeploymentList](g.rc, "deployments", ns)
}
func (g appsV1) DaemonSets(ns string) Resource[*appsv1.DaemonSet, *appsv1.DaemonSetList] {
	return resource[*appsv1.DaemonSet, *appsv1.DaemonSetList](g.rc, "daemonsets", ns)
}

type batchV1 struct{ rc rest.Interface }

func (g batchV1) Jobs(ns string) Resource[*batchv1.Job, *batchv1.JobList] {
	return resource[*batchv1.Job, *batchv1.JobList](g.rc, "jobs", ns)
}

type certificatesV1 struct{ rc rest.Interface }

func (g certificatesV1) CertificateSigningRequests() Resource[*certificatesv1.CertificateSigningRequest, *certificatesv1.CertificateSigningRequestList] {
	return resource[*certificatesv1.CertificateSigningRequest, *certificatesv1.CertificateSigningRequestList](g.rc, "certificatesigningrequests", "")
}

type authenticationV1 struct{ rc rest.Interface }

func (g authenticationV1) SelfSubjectReviews() SelfSubjectReviews {
	return gentype.NewClient[*authenticationv1.SelfSubjectReview]("selfsubjectreviews", g.rc, params, "",
		func() *authenticationv1.SelfSubjectReview { return &authenticationv1.SelfSubjectReview{} })
}
