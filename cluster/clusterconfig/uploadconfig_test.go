package clusterconfig

import (
	"crypto/sha256"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kadm-project/kadm/cluster/kube/kubefake"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/kadm-project/kadm/cluster/objects"
	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/internal/golden"
)

const kubeletYAML = "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\ncgroupDriver: systemd\n"

func TestKubeadmConfig(t *testing.T) {
	t.Parallel()
	cluster := config.DefaultClusterConfiguration()
	cluster.ControlPlaneEndpoint = "lb.example.com:6443"
	cluster.Networking.PodSubnet = "10.244.0.0/16"
	cm, err := KubeadmConfig(cluster)
	if err != nil {
		t.Fatal(err)
	}
	if cm.Namespace != "kube-system" || cm.Name != "kubeadm-config" || len(cm.Data) != 1 {
		t.Fatalf("ConfigMap %s/%s with %d keys", cm.Namespace, cm.Name, len(cm.Data))
	}
	golden.Assert(t, filepath.Join("testdata", "kubeadm-config.yaml"), []byte(cm.Data["ClusterConfiguration"]))
}

func TestKubeletConfig(t *testing.T) {
	t.Parallel()
	sum := sha256.Sum256([]byte(kubeletYAML))
	tests := []struct {
		name         string
		yaml         string
		userSupplied bool
		wantHash     string
		wantErr      string
	}{
		{"generated config is signed with kubeadm's checksum", kubeletYAML, false, fmt.Sprintf("sha256:%x", sum), ""},
		{"user config is not signed", kubeletYAML, true, "", ""},
		{"another kind is refused", "apiVersion: v1\nkind: ConfigMap\n", false, "", "want kubelet.config.k8s.io/v1beta1 KubeletConfiguration"},
		{"garbage is refused", "{", false, "", "not YAML"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cm, err := KubeletConfig([]byte(tt.yaml), tt.userSupplied)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cm.Namespace != "kube-system" || cm.Name != "kubelet-config" || cm.Data["kubelet"] != tt.yaml {
				t.Errorf("ConfigMap %s/%s data %v", cm.Namespace, cm.Name, cm.Data)
			}
			if got := cm.Annotations[ConfigHashAnnotation]; got != tt.wantHash {
				t.Errorf("hash annotation = %q, want %q", got, tt.wantHash)
			}
		})
	}
}

func TestRBAC(t *testing.T) {
	t.Parallel()
	bootstrappers := rbacv1.Subject{APIGroup: "rbac.authorization.k8s.io", Kind: "Group", Name: "system:bootstrappers:kubeadm:default-node-token"}
	nodes := rbacv1.Subject{APIGroup: "rbac.authorization.k8s.io", Kind: "Group", Name: "system:nodes"}
	tests := []struct {
		name, object, configMap string
		objs                    []runtime.Object
		subjects                []rbacv1.Subject
	}{
		{"kubeadm-config", "kubeadm:nodes-kubeadm-config", "kubeadm-config", KubeadmConfigRBAC(), []rbacv1.Subject{bootstrappers, nodes}},
		{"kubelet-config", "kubeadm:kubelet-config", "kubelet-config", KubeletConfigRBAC(), []rbacv1.Subject{nodes, bootstrappers}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cs := fake.NewClientset()
			if err := objects.ApplyAll(t.Context(), &objects.Client{Clientset: kubefake.Wrap(cs)}, tt.objs...); err != nil {
				t.Fatal(err)
			}
			role, err := cs.RbacV1().Roles("kube-system").Get(t.Context(), tt.object, metav1.GetOptions{})
			if err != nil {
				t.Fatal(err)
			}
			wantRules := []rbacv1.PolicyRule{{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"configmaps"}, ResourceNames: []string{tt.configMap}}}
			if diff := cmp.Diff(wantRules, role.Rules); diff != "" {
				t.Errorf("rules (-want +got):\n%s", diff)
			}
			rb, err := cs.RbacV1().RoleBindings("kube-system").Get(t.Context(), tt.object, metav1.GetOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if want := (rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "Role", Name: tt.object}); rb.RoleRef != want {
				t.Errorf("roleRef = %+v", rb.RoleRef)
			}
			if diff := cmp.Diff(tt.subjects, rb.Subjects); diff != "" {
				t.Errorf("subjects (-want +got):\n%s", diff)
			}
		})
	}
}

func TestUploadIsIdempotentAndFollowsChanges(t *testing.T) {
	t.Parallel()
	cs := fake.NewClientset(&corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: "kubeadm-config", Namespace: "kube-system"},
		Data:       map[string]string{"ClusterConfiguration": "old", "ClusterStatus": "kept"},
	})
	w := &objects.Client{Clientset: kubefake.Wrap(cs), Policy: objects.Policy{Interval: time.Millisecond}}
	cluster := config.DefaultClusterConfiguration()
	for range 2 {
		cm, err := KubeadmConfig(cluster)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Apply(t.Context(), cm); err != nil {
			t.Fatal(err)
		}
	}
	updates := 0
	for _, a := range cs.Actions() {
		if a.GetVerb() == "update" {
			updates++
		}
	}
	if updates != 1 {
		t.Errorf("%d updates for one change, want 1", updates)
	}
	got, err := cs.CoreV1().ConfigMaps("kube-system").Get(t.Context(), "kubeadm-config", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got.Data["ClusterConfiguration"], "kind: ClusterConfiguration") || got.Data["ClusterStatus"] != "kept" {
		t.Errorf("data = %v", got.Data)
	}
}
