package kube

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/rest"
)

// apiServer answers the requests the test makes as the API server would,
// recording each as "METHOD path?query".
type apiServer struct {
	mu   sync.Mutex
	seen []string
}

func (s *apiServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	q := r.URL.Query()
	q.Del("timeout") // the client's own deadline, set from rest.Config
	u := *r.URL
	u.RawQuery = q.Encode()
	s.seen = append(s.seen, r.Method+" "+u.RequestURI())
	s.mu.Unlock()
	body, _ := io.ReadAll(r.Body)
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/api/v1/namespaces/kube-system/configmaps/kubeadm-config":
		fmt.Fprint(w, `{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"kubeadm-config","namespace":"kube-system","resourceVersion":"7"},"data":{"k":"v"}}`)
	case r.Method == http.MethodGet && r.URL.Path == "/api/v1/namespaces/kube-system/secrets/missing":
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404,"message":"secrets \"missing\" not found","details":{"name":"missing","kind":"secrets"}}`)
	case r.Method == http.MethodPost && r.URL.Path == "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings":
		w.WriteHeader(http.StatusCreated)
		w.Write(body)
	case r.Method == http.MethodPatch && r.URL.Path == "/api/v1/nodes/cp-1":
		if ct := r.Header.Get("Content-Type"); ct != string(types.StrategicMergePatchType) {
			http.Error(w, "content type "+ct, http.StatusUnsupportedMediaType)
			return
		}
		fmt.Fprint(w, `{"kind":"Node","apiVersion":"v1","metadata":{"name":"cp-1","labels":{"role":"cp"}}}`)
	case r.Method == http.MethodGet && r.URL.Path == "/apis/certificates.k8s.io/v1/certificatesigningrequests" && r.URL.Query().Get("watch") == "true":
		e := watch.Event{Type: watch.Added, Object: nil}
		b, _ := json.Marshal(map[string]any{"type": e.Type, "object": map[string]any{
			"kind": "CertificateSigningRequest", "apiVersion": "certificates.k8s.io/v1", "metadata": map[string]any{"name": "csr-1"},
		}})
		w.Write(append(b, '\n'))
	case r.Method == http.MethodGet && r.URL.Path == "/apis/apps/v1/namespaces/kube-system/daemonsets":
		fmt.Fprint(w, `{"kind":"DaemonSetList","apiVersion":"apps/v1","metadata":{},"items":[{"metadata":{"name":"kube-proxy"}}]}`)
	case r.Method == http.MethodGet && r.URL.Path == "/version":
		fmt.Fprint(w, `{"major":"1","minor":"36","gitVersion":"v1.36.3"}`)
	case r.Method == http.MethodPost && r.URL.Path == "/apis/batch/v1/namespaces/kube-system/jobs":
		w.WriteHeader(http.StatusCreated)
		w.Write(body)
	case r.Method == http.MethodPost && r.URL.Path == "/apis/authentication.k8s.io/v1/selfsubjectreviews":
		fmt.Fprint(w, `{"kind":"SelfSubjectReview","apiVersion":"authentication.k8s.io/v1","metadata":{},"status":{"userInfo":{"username":"system:node:cp-1"}}}`)
	default:
		http.Error(w, "unexpected "+r.Method+" "+r.URL.Path, http.StatusTeapot)
	}
}

// TestNewForConfig: newForConfig talks to a server that answers as the API server does:
// each group reaches its own path, objects and lists decode into kadm's
// types, API errors keep their reason, patches and watches work.
func TestNewForConfig(t *testing.T) {
	t.Parallel()
	api := &apiServer{}
	srv := httptest.NewServer(api)
	defer srv.Close()
	c, err := newForConfig(&rest.Config{Host: srv.URL, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()

	cm, err := c.CoreV1().ConfigMaps("kube-system").Get(ctx, "kubeadm-config", metav1.GetOptions{})
	if err != nil || cm.Data["k"] != "v" || cm.ResourceVersion != "7" {
		t.Errorf("Get ConfigMap = %+v, %v", cm, err)
	}
	if _, err := c.CoreV1().Secrets("kube-system").Get(ctx, "missing", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("Get of a missing Secret: error %v, want NotFound", err)
	}
	crb, err := c.RbacV1().ClusterRoleBindings().Create(ctx, rbacBinding(), metav1.CreateOptions{})
	if err != nil || crb.Name != "kubeadm:test" || crb.RoleRef.Name != "cluster-admin" {
		t.Errorf("Create ClusterRoleBinding = %+v, %v", crb, err)
	}
	node, err := c.CoreV1().Nodes().Patch(ctx, "cp-1", types.StrategicMergePatchType, []byte(`{"metadata":{"labels":{"role":"cp"}}}`), metav1.PatchOptions{})
	if err != nil || node.Labels["role"] != "cp" {
		t.Errorf("Patch Node = %+v, %v", node, err)
	}
	ds, err := c.AppsV1().DaemonSets("kube-system").List(ctx, metav1.ListOptions{})
	if err != nil || len(ds.Items) != 1 || ds.Items[0].Name != "kube-proxy" {
		t.Errorf("List DaemonSets = %+v, %v", ds, err)
	}
	w, err := c.CertificatesV1().CertificateSigningRequests().Watch(ctx, metav1.ListOptions{FieldSelector: "spec.signerName=x"})
	if err != nil {
		t.Fatalf("Watch CSRs: %v", err)
	}
	select {
	case e := <-w.ResultChan():
		if m, ok := e.Object.(metav1.Object); e.Type != watch.Added || !ok || m.GetName() != "csr-1" {
			t.Errorf("watch event = %v %#v", e.Type, e.Object)
		}
	case <-time.After(5 * time.Second):
		t.Error("no watch event")
	}
	w.Stop()
	review, err := c.AuthenticationV1().SelfSubjectReviews().Create(ctx, &authenticationv1.SelfSubjectReview{}, metav1.CreateOptions{})
	if err != nil || review.Status.UserInfo.Username != "system:node:cp-1" {
		t.Errorf("SelfSubjectReview = %+v, %v", review, err)
	}

	v, err := c.ServerVersion(ctx)
	if err != nil || v.GitVersion != "v1.36.3" {
		t.Errorf("ServerVersion = %+v, %v", v, err)
	}
	job, err := c.BatchV1().Jobs("kube-system").Create(ctx, &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: "upgrade-health-check-1"}}, metav1.CreateOptions{})
	if err != nil || job.Name != "upgrade-health-check-1" {
		t.Errorf("Create Job = %+v, %v", job, err)
	}

	api.mu.Lock()
	defer api.mu.Unlock()
	for _, want := range []string{
		"GET /api/v1/namespaces/kube-system/configmaps/kubeadm-config",
		"POST /apis/rbac.authorization.k8s.io/v1/clusterrolebindings",
		"GET /apis/certificates.k8s.io/v1/certificatesigningrequests?fieldSelector=spec.signerName%3Dx&watch=true",
	} {
		found := false
		for _, s := range api.seen {
			found = found || s == want
		}
		if !found {
			t.Errorf("no request %q among %q", want, strings.Join(api.seen, ", "))
		}
	}
}

func rbacBinding() *rbacv1.ClusterRoleBinding {
	return &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "kubeadm:test"},
		RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: "cluster-admin"},
	}
}

// TestSchemeHasOnlyKadmsGroups guards the point of this package: kadm's
// scheme knows the groups it uses and no others.
func TestSchemeHasOnlyKadmsGroups(t *testing.T) {
	t.Parallel()
	groups := map[string]bool{}
	for gvk := range scheme.AllKnownTypes() {
		if gvk.Version != runtime.APIVersionInternal {
			groups[gvk.GroupVersion().String()] = true
		}
	}
	want := map[string]bool{"v1": true, "rbac.authorization.k8s.io/v1": true, "apps/v1": true, "batch/v1": true,
		"certificates.k8s.io/v1": true, "authentication.k8s.io/v1": true}
	for g := range groups {
		if !want[g] {
			t.Errorf("the scheme registers %s, which kadm does not use", g)
		}
	}
	for g := range want {
		if !groups[g] {
			t.Errorf("the scheme lacks %s", g)
		}
	}
	if _, ok := any(&corev1.ConfigMap{}).(metav1.Object); !ok {
		t.Fatal("ConfigMap is not a metav1.Object")
	}
}

// TestClientSharesOneGenerousRateLimiter: every group of a client draws on
// one rate limiter, and not at client-go's default of 5 requests a second,
// which held init's RBAC requests 200 ms each.
func TestClientSharesOneGenerousRateLimiter(t *testing.T) {
	t.Parallel()
	ci, err := newForConfig(&rest.Config{Host: "https://127.0.0.1:6443", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	c := ci.(*client)
	limiter := c.core.GetRateLimiter()
	if limiter == nil || limiter.QPS() != clientQPS {
		t.Fatalf("the core group's rate limiter: %v", limiter)
	}
	for name, g := range map[string]rest.Interface{"rbac": c.rbac, "apps": c.apps, "certificates": c.certificates, "authentication": c.authentication} {
		if g.GetRateLimiter() != limiter {
			t.Errorf("the %s group has a rate limiter of its own", name)
		}
	}
}
