package clusteradmins

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/kadm-project/kadm/cluster/kube"
	"github.com/kadm-project/kadm/cluster/kube/kubefake"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/kadm-project/kadm/cluster/objects"
)

var quick = objects.Policy{Timeout: time.Second, Interval: time.Millisecond}

// failing returns a clientset whose ClusterRoleBinding creates fail with err
// the first n times (n < 0: always).
func failing(err error, n int) *fake.Clientset {
	cs := fake.NewClientset()
	cs.PrependReactor("create", "clusterrolebindings", func(k8stesting.Action) (bool, runtime.Object, error) {
		if n == 0 {
			return false, nil, nil
		}
		n--
		return true, nil, err
	})
	return cs
}

// sharedCluster returns an admin clientset that is forbidden its first n
// creates and then sees the binding super-admin made, as the API server
// answers while its RBAC cache catches up.
func sharedCluster(forbidden error, n int) *fake.Clientset {
	cs := fake.NewClientset()
	cs.PrependReactor("create", "clusterrolebindings", func(k8stesting.Action) (bool, runtime.Object, error) {
		if n > 0 {
			n--
			return true, nil, forbidden
		}
		return true, nil, apierrors.NewAlreadyExists(schema.GroupResource{Group: "rbac.authorization.k8s.io", Resource: "clusterrolebindings"}, Name)
	})
	return cs
}

func TestEnsure(t *testing.T) {
	t.Parallel()
	gr := schema.GroupResource{Group: "rbac.authorization.k8s.io", Resource: "clusterrolebindings"}
	forbidden := apierrors.NewForbidden(gr, Name, errors.New("no rights yet"))
	tests := []struct {
		name         string
		admin        *fake.Clientset
		superAdmin   *fake.Clientset
		noSuperAdmin bool
		wantErr      string
		createdBy    string // "admin" or "super-admin"
	}{
		{name: "admin creates it", admin: fake.NewClientset(), superAdmin: fake.NewClientset(), createdBy: "admin"},
		{name: "already there", admin: failing(apierrors.NewAlreadyExists(gr, Name), -1), superAdmin: fake.NewClientset()},
		{name: "admin retries a transient error", admin: failing(apierrors.NewServiceUnavailable("starting"), 2), superAdmin: fake.NewClientset(), createdBy: "admin"},
		{name: "forbidden admin falls back to super-admin and waits to be authorized", admin: sharedCluster(forbidden, 3), superAdmin: fake.NewClientset(), createdBy: "super-admin"},
		{name: "admin never authorized after super-admin created the binding", admin: failing(forbidden, -1), superAdmin: fake.NewClientset(), wantErr: "wait for admin.conf to be granted cluster-admin"},
		{name: "forbidden admin without super-admin.conf", admin: failing(forbidden, -1), noSuperAdmin: true, wantErr: "super-admin.conf, which could, is absent"},
		{name: "super-admin fails", admin: failing(forbidden, -1), superAdmin: failing(apierrors.NewBadRequest("broken"), -1), wantErr: "with super-admin.conf: broken"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var super kube.Interface
			if !tt.noSuperAdmin {
				super = kubefake.Wrap(tt.superAdmin)
			}
			admin := kubefake.Wrap(tt.admin)
			got, err := Ensure(t.Context(), admin, super, quick)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != admin {
				t.Error("Ensure did not return the admin client")
			}
			for who, cs := range map[string]*fake.Clientset{"admin": tt.admin, "super-admin": tt.superAdmin} {
				b, err := cs.RbacV1().ClusterRoleBindings().Get(t.Context(), Name, metav1.GetOptions{})
				if (err == nil) != (who == tt.createdBy) {
					t.Errorf("binding in the %s client's cluster: %v", who, err)
					continue
				}
				if err == nil && (b.RoleRef.Name != "cluster-admin" || b.Subjects[0].Name != Name || b.Subjects[0].Kind != "Group") {
					t.Errorf("binding = %+v", b)
				}
			}
		})
	}
}
