package clusterconfig

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/kadm-project/kadm/cluster/kube/kubefake"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/kadm-project/kadm/cluster/objects"
)

func TestReadCluster(t *testing.T) {
	t.Parallel()
	stored := &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: KubeadmConfigMap, Namespace: metav1.NamespaceSystem},
		Data: map[string]string{ClusterConfigurationKey: "apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\n" +
			"clusterName: prod\nkubernetesVersion: 1.37.1\n"},
	}
	unavailable := apierrors.NewServiceUnavailable("etcd leader changed")
	forbidden := apierrors.NewForbidden(schema.GroupResource{Resource: "configmaps"}, KubeadmConfigMap, errors.New("no rights"))
	tests := []struct {
		name     string
		objects  []runtime.Object
		failures int // reads that fail with err first; -1 for all
		err      error
		wantErr  string
		missing  bool
		reads    int
	}{
		{name: "stored and defaulted", objects: []runtime.Object{stored}, reads: 1},
		{name: "a transient error is retried", objects: []runtime.Object{stored}, failures: 2, err: unavailable, reads: 3},
		{name: "forbidden fails at once", objects: []runtime.Object{stored}, failures: -1, err: forbidden, wantErr: "forbidden", reads: 1},
		{name: "absent fails at once", wantErr: "the kube-system/kubeadm-config ConfigMap does not exist", missing: true, reads: 1},
		{name: "no ClusterConfiguration", objects: []runtime.Object{&corev1.ConfigMap{
			ObjectMeta: metav1.ObjectMeta{Name: KubeadmConfigMap, Namespace: metav1.NamespaceSystem},
			Data:       map[string]string{ClusterConfigurationKey: "apiVersion: kubeadm.k8s.io/v1beta4\nkind: InitConfiguration\n"},
		}}, wantErr: "'prog init phase upload-config kubeadm", missing: true, reads: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client := fake.NewClientset(tt.objects...)
			reads := 0
			client.PrependReactor("get", "configmaps", func(k8stesting.Action) (bool, runtime.Object, error) {
				reads++
				if tt.failures < 0 || reads <= tt.failures {
					return true, nil, tt.err
				}
				return false, nil, nil
			})
			c, err := ReadCluster(context.Background(), kubefake.Wrap(client), objects.Policy{Timeout: 5 * time.Second, Interval: time.Millisecond}, "prog")
			if reads != tt.reads {
				t.Errorf("%d reads, want %d", reads, tt.reads)
			}
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
				}
				if errors.Is(err, ErrMissing) != tt.missing {
					t.Errorf("errors.Is(err, ErrMissing) = %v, want %v", !tt.missing, tt.missing)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.ClusterName != "prod" || c.KubernetesVersion != "v1.37.1" || c.CertificatesDir != "/etc/kubernetes/pki" {
				t.Errorf("configuration not read and defaulted: name %q, version %q, certificatesDir %q", c.ClusterName, c.KubernetesVersion, c.CertificatesDir)
			}
		})
	}
}
