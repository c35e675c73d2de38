package bootstraptoken

import (
	"testing"
	"time"

	"github.com/kadm-project/kadm/cluster/kube/kubefake"

	"github.com/google/go-cmp/cmp"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/kadm-project/kadm/cluster/objects"
)

func TestRBAC(t *testing.T) {
	t.Parallel()
	bootstrappers := rbacv1.Subject{APIGroup: "rbac.authorization.k8s.io", Kind: "Group", Name: "system:bootstrappers:kubeadm:default-node-token"}
	tests := []struct {
		name     string
		objs     []runtime.Object
		binding  string
		role     rbacv1.RoleRef
		subjects []rbacv1.Subject
		rules    []rbacv1.PolicyRule
	}{
		{"get nodes", GetNodesRBAC(), "kubeadm:get-nodes",
			rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: "kubeadm:get-nodes"},
			[]rbacv1.Subject{bootstrappers},
			[]rbacv1.PolicyRule{{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"nodes"}}}},
		{"post CSRs", PostCSRsRBAC(), "kubeadm:kubelet-bootstrap",
			rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: "system:node-bootstrapper"},
			[]rbacv1.Subject{bootstrappers}, nil},
		{"auto-approve", AutoApproveRBAC(), "kubeadm:node-autoapprove-bootstrap",
			rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: "system:certificates.k8s.io:certificatesigningrequests:nodeclient"},
			[]rbacv1.Subject{bootstrappers}, nil},
		{"certificate rotation", CertificateRotationRBAC(), "kubeadm:node-autoapprove-certificate-rotation",
			rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: "system:certificates.k8s.io:certificatesigningrequests:selfnodeclient"},
			[]rbacv1.Subject{{APIGroup: "rbac.authorization.k8s.io", Kind: "Group", Name: "system:nodes"}}, nil},
		{"kubelet API", KubeletAPIRBAC(), "kubeadm:apiserver-kubelet-client",
			rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: "system:kubelet-api-admin"},
			[]rbacv1.Subject{{APIGroup: "rbac.authorization.k8s.io", Kind: "User", Name: "kube-apiserver-kubelet-client"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cs := fake.NewClientset()
			w := &objects.Client{Clientset: kubefake.Wrap(cs), Policy: objects.Policy{Interval: time.Millisecond}}
			for range 2 {
				if err := objects.ApplyAll(t.Context(), w, tt.objs...); err != nil {
					t.Fatal(err)
				}
			}
			b, err := cs.RbacV1().ClusterRoleBindings().Get(t.Context(), tt.binding, metav1.GetOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.role, b.RoleRef); diff != "" {
				t.Errorf("roleRef (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.subjects, b.Subjects); diff != "" {
				t.Errorf("subjects (-want +got):\n%s", diff)
			}
			if tt.rules == nil {
				return
			}
			r, err := cs.RbacV1().ClusterRoles().Get(t.Context(), tt.role.Name, metav1.GetOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.rules, r.Rules); diff != "" {
				t.Errorf("rules (-want +got):\n%s", diff)
			}
		})
	}
}

func TestClusterInfoRBAC(t *testing.T) {
	t.Parallel()
	cs := fake.NewClientset()
	w := &objects.Client{Clientset: kubefake.Wrap(cs), Policy: objects.Policy{Interval: time.Millisecond}}
	if err := objects.ApplyAll(t.Context(), w, ClusterInfoRBAC()...); err != nil {
		t.Fatal(err)
	}
	role, err := cs.RbacV1().Roles("kube-public").Get(t.Context(), "kubeadm:bootstrap-signer-clusterinfo", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	wantRules := []rbacv1.PolicyRule{{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"configmaps"}, ResourceNames: []string{"cluster-info"}}}
	if diff := cmp.Diff(wantRules, role.Rules); diff != "" {
		t.Errorf("rules (-want +got):\n%s", diff)
	}
	rb, err := cs.RbacV1().RoleBindings("kube-public").Get(t.Context(), "kubeadm:bootstrap-signer-clusterinfo", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	wantRef := rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "Role", Name: "kubeadm:bootstrap-signer-clusterinfo"}
	if rb.RoleRef != wantRef || len(rb.Subjects) != 1 || rb.Subjects[0] != (rbacv1.Subject{APIGroup: "rbac.authorization.k8s.io", Kind: "User", Name: "system:anonymous"}) {
		t.Errorf("binding = %+v", rb)
	}
}
