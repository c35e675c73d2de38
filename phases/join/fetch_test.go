package joinphases

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/kadm-project/kadm/cluster/kube/kubefake"
	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/node/cleanup"

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
				state, err = FetchClusterState(ctx, kubefake.Wrap(client), config.DefaultJoinConfiguration(), "kadm")
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

// TestFetchClusterStateChecksPaths: the paths a control-plane join writes
// to, which come from kube-system/kubeadm-config, must lie where kadm owns
// files; anything else fails before any phase could write there. A worker,
// which writes none of them, is not held to it.
func TestFetchClusterStateChecksPaths(t *testing.T) {
	t.Parallel()
	kubeletConfig := configMap("kubelet-config", map[string]string{"kubelet": kubeletYAML})
	tests := []struct {
		name         string
		cluster      string // lines added to the ClusterConfiguration
		controlPlane bool
		wantErr      []string
	}{
		{name: "defaults", controlPlane: true},
		{name: "another directory under /etc/kubernetes", cluster: "certificatesDir: /etc/kubernetes/pki-2\n", controlPlane: true},
		{name: "a system directory", cluster: "certificatesDir: /etc\n", controlPlane: true,
			wantErr: []string{`certificatesDir "/etc" is a system directory`}},
		{name: "outside /etc/kubernetes", cluster: "certificatesDir: /root/.ssh\n", controlPlane: true,
			wantErr: []string{`certificatesDir "/root/.ssh" is not inside /etc/kubernetes`}},
		{name: "escaping with ..", cluster: "certificatesDir: /etc/kubernetes/../../usr/bin\n", controlPlane: true,
			wantErr: []string{`certificatesDir "/etc/kubernetes/../../usr/bin" is not a clean path`}},
		{name: "external etcd files", controlPlane: true,
			cluster: "etcd:\n  external:\n    endpoints: [https://10.0.0.9:2379]\n    caFile: /etc/kubernetes/pki/etcd/ca.crt\n    certFile: /etc/passwd\n    keyFile: /root/.ssh/authorized_keys\n",
			wantErr: []string{`etcd.external.certFile "/etc/passwd" is not inside /etc/kubernetes`, `etcd.external.keyFile "/root/.ssh/authorized_keys" is not inside /etc/kubernetes`}},
		{name: "etcd data directory", cluster: "etcd:\n  local:\n    dataDir: /usr/bin\n", controlPlane: true,
			wantErr: []string{`etcd.local.dataDir "/usr/bin" is not inside /var/lib`}},
		{name: "a worker does not write there", cluster: "certificatesDir: /srv/pki\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client := fake.NewClientset(configMap("kubeadm-config", map[string]string{"ClusterConfiguration": clusterYAML + tt.cluster}), kubeletConfig)
			cfg := config.DefaultJoinConfiguration()
			if tt.controlPlane {
				cfg.ControlPlane = &config.JoinControlPlane{}
			}
			_, err := output(func(ctx context.Context) (err error) {
				_, err = FetchClusterState(ctx, kubefake.Wrap(client), cfg, "kubeadm")
				return err
			})
			if len(tt.wantErr) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, cleanup.ErrNotOwned) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("error %q, want one line matching ErrNotOwned", err)
			}
			for _, want := range append(tt.wantErr, "kube-system/kubeadm-config", "'kubeadm init phase upload-config kubeadm --config FILE'") {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
			}
		})
	}
}
