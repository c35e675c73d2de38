package joinphases

import (
	"context"
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
)

const clusterYAML = `apiVersion: kubeadm.k8s.io/v1beta4
kind: ClusterConfiguration
clusterName: prod
kubernetesVersion: v1.37.2
networking:
  serviceSubnet: 10.96.0.0/12
`

const kubeletYAML = `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
healthzPort: 12345
`

func configMap(name string, data map[string]string) *corev1.ConfigMap {
	return &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: metav1.NamespaceSystem}, Data: data}
}

func TestFetchClusterState(t *testing.T) {
	t.Parallel()
	kubeadmConfig := configMap("kubeadm-config", map[string]string{"ClusterConfiguration": clusterYAML})
	kubeletConfig := configMap("kubelet-config", map[string]string{"kubelet": kubeletYAML})
	tests := []struct {
		name    string
		objects []runtime.Object
		// reject is the answer to every ConfigMap read, when set.
		reject  error
		wantErr string
	}{
		{name: "both ConfigMaps", objects: []runtime.Object{kubeadmConfig, kubeletConfig}},
		{name: "no kubeadm-config", objects: []runtime.Object{kubeletConfig}, wantErr: "the kube-system/kubeadm-config ConfigMap does not exist"},
		{name: "no kubelet key", objects: []runtime.Object{kubeadmConfig, configMap("kubelet-config", nil)}, wantErr: `the kube-system/kubelet-config ConfigMap has no key "kubelet"`},
		{name: "forbidden", reject: apierrors.NewForbidden(schema.GroupResource{Resource: "configmaps"}, "kubeadm-config", nil),
			wantErr: "the join's credentials may not read the cluster's configuration: read the kube-system/kubeadm-config ConfigMap"},
		{name: "credentials refused", reject: apierrors.NewUnauthorized("Unauthorized"),
			wantErr: "the API server does not accept the join's credentials (the TLS bootstrap token, or those of the discovery file when no token was given)"},
		{
			name:    "not a ClusterConfiguration",
			objects: []runtime.Object{configMap("kubeadm-config", map[string]string{"ClusterConfiguration": "apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\nbogus: 1\n"}), kubeletConfig},
			wantErr: "bogus",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client := fake.NewClientset(tt.objects...)
			if tt.reject != nil {
				client.PrependReactor("get", "configmaps", func(a k8stesting.Action) (bool, runtime.Object, error) {
					return true, nil, tt.reject
				})
			}
			start := time.Now()
			var state *ClusterState
			out, err := output(func(ctx context.Context) (err error) {
				state, err = FetchClusterState(ctx, kubefake.Wrap(client), time.Minute, "kadm")
				return err
			})
			if !strings.Contains(out, `[preflight] Reading configuration from the "kubeadm-config" ConfigMap in namespace "kube-system"...`) {
				t.Errorf("output lacks kubeadm's reading line:\n%s", out)
			}
			if time.Since(start) > 5*time.Second {
				t.Errorf("took %v: a lasting error must fail at once", time.Since(start))
			}
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if state.Cluster.ClusterName != "prod" || state.Cluster.CertificatesDir == "" {
				t.Errorf("cluster configuration not read and defaulted: %+v", state.Cluster)
			}
			if state.Kubelet.HealthzPort == nil || *state.Kubelet.HealthzPort != 12345 {
				t.Errorf("kubelet configuration not read: healthzPort %v", state.Kubelet.HealthzPort)
			}
		})
	}
}
