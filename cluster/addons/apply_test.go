package addons

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kadm-project/kadm/cluster/kube/kubefake"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
	"k8s.io/utils/ptr"

	"github.com/kadm-project/kadm/cluster/objects"
)

const testTimeout = 5 * time.Second

func writer(client *fake.Clientset, timeout time.Duration) objects.Writer {
	return &objects.Client{Clientset: kubefake.Wrap(client), Policy: objects.Policy{Timeout: timeout, Interval: time.Millisecond}}
}

func bothAddons(t *testing.T) []*Addon {
	t.Helper()
	dns, err := CoreDNS(cluster(nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	proxy, err := KubeProxy(proxyInput(func(in *KubeProxyInput) { in.Cluster.Networking.PodSubnet = "10.244.0.0/16" }), nil)
	if err != nil {
		t.Fatal(err)
	}
	return []*Addon{dns, proxy}
}

func applyAll(t *testing.T, client *fake.Clientset, addons []*Addon) {
	t.Helper()
	for _, a := range addons {
		if err := a.Apply(context.Background(), writer(client, testTimeout)); err != nil {
			t.Fatalf("Apply %s: %v", a.Name, err)
		}
	}
}

// TestApplyCreatesEveryObject reads back, by kind and name, what kubeadm
// v1.37 creates for the two addons.
func TestApplyCreatesEveryObject(t *testing.T) {
	t.Parallel()
	client := fake.NewClientset()
	applyAll(t, client, bothAddons(t))
	ctx := context.Background()
	get := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Errorf("%s: %v", what, err)
		}
	}
	_, err := client.CoreV1().ServiceAccounts("kube-system").Get(ctx, "coredns", metav1.GetOptions{})
	get("ServiceAccount coredns", err)
	_, err = client.RbacV1().ClusterRoles().Get(ctx, "system:coredns", metav1.GetOptions{})
	get("ClusterRole system:coredns", err)
	crb, err := client.RbacV1().ClusterRoleBindings().Get(ctx, "system:coredns", metav1.GetOptions{})
	get("ClusterRoleBinding system:coredns", err)
	cm, err := client.CoreV1().ConfigMaps("kube-system").Get(ctx, "coredns", metav1.GetOptions{})
	get("ConfigMap coredns", err)
	dep, err := client.AppsV1().Deployments("kube-system").Get(ctx, "coredns", metav1.GetOptions{})
	get("Deployment coredns", err)
	svc, err := client.CoreV1().Services("kube-system").Get(ctx, "kube-dns", metav1.GetOptions{})
	get("Service kube-dns", err)
	_, err = client.CoreV1().ServiceAccounts("kube-system").Get(ctx, "kube-proxy", metav1.GetOptions{})
	get("ServiceAccount kube-proxy", err)
	proxier, err := client.RbacV1().ClusterRoleBindings().Get(ctx, "kubeadm:node-proxier", metav1.GetOptions{})
	get("ClusterRoleBinding kubeadm:node-proxier", err)
	role, err := client.RbacV1().Roles("kube-system").Get(ctx, "kube-proxy", metav1.GetOptions{})
	get("Role kube-proxy", err)
	rb, err := client.RbacV1().RoleBindings("kube-system").Get(ctx, "kube-proxy", metav1.GetOptions{})
	get("RoleBinding kube-proxy", err)
	proxyCM, err := client.CoreV1().ConfigMaps("kube-system").Get(ctx, "kube-proxy", metav1.GetOptions{})
	get("ConfigMap kube-proxy", err)
	ds, err := client.AppsV1().DaemonSets("kube-system").Get(ctx, "kube-proxy", metav1.GetOptions{})
	get("DaemonSet kube-proxy", err)
	if t.Failed() {
		return
	}

	checks := []struct {
		what      string
		got, want any
	}{
		{"coredns binding subject", crb.Subjects, []rbacv1.Subject{{Kind: "ServiceAccount", Name: "coredns", Namespace: "kube-system"}}},
		{"coredns binding role", crb.RoleRef.Name, "system:coredns"},
		{"Corefile domain", strings.Contains(cm.Data["Corefile"], "kubernetes cluster.local in-addr.arpa ip6.arpa"), true},
		{"coredns labels", dep.Labels, map[string]string{"k8s-app": "kube-dns"}},
		{"coredns replicas", *dep.Spec.Replicas, int32(2)},
		{"coredns image", dep.Spec.Template.Spec.Containers[0].Image, "registry.k8s.io/coredns/coredns:v1.14.6"},
		{"coredns tolerations", dep.Spec.Template.Spec.Tolerations, []corev1.Toleration{
			{Key: "CriticalAddonsOnly", Operator: corev1.TolerationOpExists},
			{Key: "node-role.kubernetes.io/control-plane", Effect: corev1.TaintEffectNoSchedule},
		}},
		{"kube-dns clusterIP", svc.Spec.ClusterIP, "10.96.0.10"},
		{"kube-dns selector", svc.Spec.Selector, map[string]string{"k8s-app": "kube-dns"}},
		{"kube-dns ports", []string{svc.Spec.Ports[0].Name, svc.Spec.Ports[1].Name, svc.Spec.Ports[2].Name}, []string{"dns", "dns-tcp", "metrics"}},
		{"node-proxier role", proxier.RoleRef.Name, "system:node-proxier"},
		{"kube-proxy role rule", role.Rules, []rbacv1.PolicyRule{{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"configmaps"}, ResourceNames: []string{"kube-proxy"}}}},
		{"kube-proxy role subject", rb.Subjects, []rbacv1.Subject{{Kind: "Group", Name: "system:bootstrappers:kubeadm:default-node-token"}}},
		{"kube-proxy clusterCIDR", strings.Contains(proxyCM.Data["config.conf"], "\nclusterCIDR: 10.244.0.0/16\n"), true},
		{"kube-proxy ConfigMap labels", proxyCM.Labels, map[string]string{"app": "kube-proxy"}},
		{"kube-proxy labels", ds.Labels, map[string]string{"k8s-app": "kube-proxy"}},
		{"kube-proxy image", ds.Spec.Template.Spec.Containers[0].Image, "registry.k8s.io/kube-proxy:v1.37.2"},
		{"kube-proxy hostNetwork", ds.Spec.Template.Spec.HostNetwork, true},
		{"kube-proxy privileged", *ds.Spec.Template.Spec.Containers[0].SecurityContext.Privileged, true},
		{"kube-proxy priority", ds.Spec.Template.Spec.PriorityClassName, "system-node-critical"},
		{"kube-proxy nodeSelector", ds.Spec.Template.Spec.NodeSelector, map[string]string{"kubernetes.io/os": "linux"}},
		{"kube-proxy tolerations", ds.Spec.Template.Spec.Tolerations, []corev1.Toleration{{Operator: corev1.TolerationOpExists}}},
	}
	for _, c := range checks {
		if diff := cmp.Diff(c.want, c.got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", c.what, diff)
		}
	}
}

// snapshot is every object in the fake cluster's kube-system namespace and
// cluster scope that the addons touch, without server-set fields.
func snapshot(t *testing.T, client *fake.Clientset) map[string]runtime.Object {
	t.Helper()
	out := map[string]runtime.Object{}
	for _, a := range bothAddons(t) {
		for _, obj := range a.Objects() {
			gvk := obj.GetObjectKind().GroupVersionKind()
			gvr := gvk.GroupVersion().WithResource(resourceOf(gvk.Kind))
			m := obj.(metav1.Object)
			live, err := client.Tracker().Get(gvr, m.GetNamespace(), m.GetName())
			if err != nil {
				t.Fatalf("get %s %s: %v", gvk.Kind, m.GetName(), err)
			}
			live.(metav1.Object).SetResourceVersion("")
			out[gvk.Kind+"/"+m.GetName()] = live
		}
	}
	return out
}

func TestApplyTwiceConverges(t *testing.T) {
	t.Parallel()
	client := fake.NewClientset()
	applyAll(t, client, bothAddons(t))
	first := snapshot(t, client)
	client.ClearActions()
	applyAll(t, client, bothAddons(t))
	if diff := cmp.Diff(first, snapshot(t, client)); diff != "" {
		t.Errorf("second run changed the objects (-first +second):\n%s", diff)
	}
	// Only the objects whose live copies carry the API server's defaults are
	// written again; the rest are found up to date and left alone.
	var writes []string
	for _, action := range client.Actions() {
		if verb := action.GetVerb(); verb != "get" {
			writes = append(writes, verb+" "+action.GetResource().Resource)
		}
	}
	want := []string{"update deployments", "update services", "update daemonsets"}
	if !slices.Equal(writes, want) {
		t.Errorf("second run wrote %q, want %q", writes, want)
	}
}

func TestApplyKeepsWhatUsersChange(t *testing.T) {
	t.Parallel()
	edited := ".:53 {\n    forward . 10.0.0.53\n}\n"
	tests := []struct {
		name     string
		existing runtime.Object
		check    func(t *testing.T, client *fake.Clientset)
	}{
		{
			name: "CoreDNS replica count",
			existing: &appsv1.Deployment{
				ObjectMeta: metav1.ObjectMeta{Name: "coredns", Namespace: "kube-system"},
				Spec:       appsv1.DeploymentSpec{Replicas: ptr.To[int32](5)},
			},
			check: func(t *testing.T, client *fake.Clientset) {
				d, err := client.AppsV1().Deployments("kube-system").Get(context.Background(), "coredns", metav1.GetOptions{})
				if err != nil {
					t.Fatal(err)
				}
				if *d.Spec.Replicas != 5 {
					t.Errorf("replicas = %d, want the 5 the user set", *d.Spec.Replicas)
				}
				if d.Spec.Template.Spec.Containers[0].Image == "" {
					t.Error("the rest of the Deployment was not updated")
				}
			},
		},
		{
			name: "edited Corefile",
			existing: &corev1.ConfigMap{
				ObjectMeta: metav1.ObjectMeta{Name: "coredns", Namespace: "kube-system"},
				Data:       map[string]string{"Corefile": edited},
			},
			check: func(t *testing.T, client *fake.Clientset) {
				cm, err := client.CoreV1().ConfigMaps("kube-system").Get(context.Background(), "coredns", metav1.GetOptions{})
				if err != nil {
					t.Fatal(err)
				}
				if cm.Data["Corefile"] != edited {
					t.Errorf("Corefile = %q, want the edited one kept", cm.Data["Corefile"])
				}
			},
		},
		{
			name: "Corefile generated for another domain is replaced",
			existing: &corev1.ConfigMap{
				ObjectMeta: metav1.ObjectMeta{Name: "coredns", Namespace: "kube-system"},
				Data:       map[string]string{"Corefile": Corefile("old.example")},
			},
			check: func(t *testing.T, client *fake.Clientset) {
				cm, err := client.CoreV1().ConfigMaps("kube-system").Get(context.Background(), "coredns", metav1.GetOptions{})
				if err != nil {
					t.Fatal(err)
				}
				if cm.Data["Corefile"] != Corefile("cluster.local") {
					t.Errorf("Corefile = %q, want the one for cluster.local", cm.Data["Corefile"])
				}
			},
		},
		{
			name: "kube-dns addresses the API server allocated",
			existing: &corev1.Service{
				ObjectMeta: metav1.ObjectMeta{Name: "kube-dns", Namespace: "kube-system"},
				Spec: corev1.ServiceSpec{
					ClusterIP:      "10.96.0.10",
					ClusterIPs:     []string{"10.96.0.10"},
					IPFamilies:     []corev1.IPFamily{corev1.IPv4Protocol},
					IPFamilyPolicy: ptr.To(corev1.IPFamilyPolicySingleStack),
				},
			},
			check: func(t *testing.T, client *fake.Clientset) {
				svc, err := client.CoreV1().Services("kube-system").Get(context.Background(), "kube-dns", metav1.GetOptions{})
				if err != nil {
					t.Fatal(err)
				}
				if !cmp.Equal(svc.Spec.ClusterIPs, []string{"10.96.0.10"}) || len(svc.Spec.IPFamilies) != 1 || svc.Spec.IPFamilyPolicy == nil {
					t.Errorf("allocated fields lost: clusterIPs %v, ipFamilies %v, policy %v", svc.Spec.ClusterIPs, svc.Spec.IPFamilies, svc.Spec.IPFamilyPolicy)
				}
				if len(svc.Spec.Ports) != 3 {
					t.Errorf("ports = %v, want the three kube-dns ports", svc.Spec.Ports)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client := fake.NewClientset(tt.existing)
			applyAll(t, client, bothAddons(t)[:1])
			tt.check(t, client)
		})
	}
}

func TestApplyRetries(t *testing.T) {
	t.Parallel()
	transient := apierrors.NewServiceUnavailable("etcd leader changed")
	invalid := apierrors.NewInvalid(schema.GroupKind{Kind: "Service"}, "kube-dns", nil)
	forbidden := apierrors.NewForbidden(schema.GroupResource{Resource: "services"}, "kube-dns", errors.New("RBAC: no rights"))
	tests := []struct {
		name      string
		failures  int // how many service creates fail before one succeeds; -1 for all
		err       error
		timeout   time.Duration
		wantErr   string
		wantCalls int // 0 when the count depends on timing
	}{
		{"transient error passes", 1, transient, testTimeout, "", 2},
		{"invalid object fails at once", -1, invalid, testTimeout, "is invalid", 1},
		{"forbidden fails at once", -1, forbidden, testTimeout, "forbidden", 1},
		{"timeout ends the retries", -1, transient, 100 * time.Millisecond, "still failing after 100ms, timeouts.kubernetesAPICall", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client := fake.NewClientset()
			var calls int
			client.PrependReactor("create", "services", func(k8stesting.Action) (bool, runtime.Object, error) {
				calls++
				if tt.failures < 0 || calls <= tt.failures {
					return true, nil, tt.err
				}
				return false, nil, nil
			})
			a, err := CoreDNS(cluster(nil), nil)
			if err != nil {
				t.Fatal(err)
			}
			err = a.Apply(context.Background(), writer(client, tt.timeout))
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Apply: %v", err)
				}
			} else if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), `Service "kube-system/kube-dns"`) {
				t.Fatalf("Apply error = %v, want one naming Service \"kube-system/kube-dns\" and containing %q", err, tt.wantErr)
			}
			if tt.wantCalls != 0 && calls != tt.wantCalls {
				t.Errorf("%d create calls, want %d", calls, tt.wantCalls)
			}
		})
	}
}

func TestApplyStopsWithContext(t *testing.T) {
	t.Parallel()
	client := fake.NewClientset()
	client.PrependReactor("create", "*", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewServiceUnavailable("down")
	})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	a, err := CoreDNS(cluster(nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Apply(ctx, writer(client, testTimeout)); !errors.Is(err, context.Canceled) {
		t.Fatalf("Apply error = %v, want context.Canceled", err)
	}
}

// TestApplyRerunWithAllocatedClusterIP mimics the real API server, which
// rejects a second create of kube-dns on its clusterIP ("provided IP is
// already allocated", Invalid) before it would answer AlreadyExists: a
// rerun must update the Service, not fail on the create.
func TestApplyRerunWithAllocatedClusterIP(t *testing.T) {
	t.Parallel()
	client := fake.NewClientset()
	applyAll(t, client, bothAddons(t))
	client.PrependReactor("create", "services", func(action k8stesting.Action) (bool, runtime.Object, error) {
		svc := action.(k8stesting.CreateAction).GetObject().(*corev1.Service)
		return true, nil, apierrors.NewInvalid(schema.GroupKind{Kind: "Service"}, svc.Name, nil)
	})
	applyAll(t, client, bothAddons(t))
}
