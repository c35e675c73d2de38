package fakeapi

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

func client(t *testing.T, s *Server, auth *clientcmdapi.AuthInfo) kubernetes.Interface {
	t.Helper()
	cfg, err := clientcmd.BuildConfigFromFlags("", s.Kubeconfig(t, t.TempDir(), auth))
	if err != nil {
		t.Fatal(err)
	}
	c, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestServer plays through what kadm does with a client-go clientset.
func TestServer(t *testing.T) {
	t.Parallel()
	s := Start(t)
	s.AcceptToken("admin-token", "admin")
	ctx := t.Context()
	cert, key := ClientCertificate(t, "kubernetes-admin")
	for _, c := range []kubernetes.Interface{
		client(t, s, &clientcmdapi.AuthInfo{Token: "admin-token"}),
		client(t, s, &clientcmdapi.AuthInfo{ClientCertificateData: cert, ClientKeyData: key}),
	} {
		secrets := c.CoreV1().Secrets("kube-system")
		created, err := secrets.Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "a"}, StringData: map[string]string{"k": "v"}}, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if created.UID == "" || created.Namespace != "kube-system" {
			t.Errorf("created %+v without the server's metadata", created.ObjectMeta)
		}
		if _, err := secrets.Create(ctx, created, metav1.CreateOptions{}); !apierrors.IsAlreadyExists(err) {
			t.Errorf("a second create: %v, want AlreadyExists", err)
		}
		created.Labels = map[string]string{"l": "1"}
		if _, err := secrets.Update(ctx, created, metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
		list, err := secrets.List(ctx, metav1.ListOptions{})
		if err != nil || len(list.Items) != 1 || list.Items[0].Labels["l"] != "1" {
			t.Fatalf("list: %v, %v", list, err)
		}
		if _, err := c.CoreV1().Nodes().Patch(ctx, "n", types.MergePatchType, []byte(`{}`), metav1.PatchOptions{}); !apierrors.IsNotFound(err) {
			t.Errorf("patch of a missing Node: %v, want NotFound", err)
		}
		if err := secrets.Delete(ctx, "a", metav1.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
		if _, err := secrets.Get(ctx, "a", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
			t.Errorf("get after delete: %v, want NotFound", err)
		}
		if crbs, err := c.RbacV1().ClusterRoleBindings().List(ctx, metav1.ListOptions{}); err != nil || len(crbs.Items) != 0 {
			t.Errorf("empty cluster-scoped list: %v, %v", crbs, err)
		}
	}
	anonymous := client(t, s, &clientcmdapi.AuthInfo{})
	if _, err := anonymous.CoreV1().Secrets("kube-system").Get(ctx, "a", metav1.GetOptions{}); !apierrors.IsForbidden(err) {
		t.Errorf("anonymous read of a Secret: %v, want Forbidden", err)
	}
	if _, err := anonymous.CoreV1().ConfigMaps("kube-public").Get(ctx, "cluster-info", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("anonymous read of cluster-info: %v, want NotFound (allowed, absent)", err)
	}
	wrong := client(t, s, &clientcmdapi.AuthInfo{Token: "wrong"})
	if _, err := wrong.CoreV1().ConfigMaps("kube-public").Get(ctx, "cluster-info", metav1.GetOptions{}); !apierrors.IsUnauthorized(err) {
		t.Errorf("unknown token: %v, want Unauthorized", err)
	}
}
