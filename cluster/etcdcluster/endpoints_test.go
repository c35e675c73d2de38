package etcdcluster

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kadm-project/kadm/cluster/kube/kubefake"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/kadm-project/kadm/node/etcd"
)

func etcdPod(name, namespace, urls string, labels map[string]string) *corev1.Pod {
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace, Labels: labels}}
	if urls != "" {
		pod.Annotations = map[string]string{etcd.AdvertiseClientURLsAnnotation: urls}
	}
	return pod
}

var etcdLabels = map[string]string{"component": "etcd", "tier": "control-plane"}

func TestEndpoints(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		objs    []runtime.Object
		want    []string
		wantErr string
	}{
		{
			name: "one member",
			objs: []runtime.Object{etcdPod("etcd-cp1", "kube-system", "https://10.0.0.1:2379", etcdLabels)},
			want: []string{"https://10.0.0.1:2379"},
		},
		{
			name: "several members, sorted",
			objs: []runtime.Object{
				etcdPod("etcd-cp3", "kube-system", "https://10.0.0.3:2379", etcdLabels),
				etcdPod("etcd-cp1", "kube-system", "https://10.0.0.1:2379", etcdLabels),
				etcdPod("etcd-cp2", "kube-system", "https://[fd00::2]:2379", etcdLabels),
			},
			want: []string{"https://10.0.0.1:2379", "https://10.0.0.3:2379", "https://[fd00::2]:2379"},
		},
		{
			name: "duplicates and a comma-separated list",
			objs: []runtime.Object{
				etcdPod("etcd-cp1", "kube-system", "https://10.0.0.1:2379", etcdLabels),
				etcdPod("etcd-cp1-old", "kube-system", "https://10.0.0.1:2379", etcdLabels),
				etcdPod("etcd-cp2", "kube-system", "https://10.0.0.2:2379, https://10.0.0.1:2379", etcdLabels),
			},
			want: []string{"https://10.0.0.1:2379", "https://10.0.0.2:2379"},
		},
		{
			name: "a Pod without the annotation is skipped",
			objs: []runtime.Object{
				etcdPod("etcd-cp1", "kube-system", "https://10.0.0.1:2379", etcdLabels),
				etcdPod("etcd-cp2", "kube-system", "", etcdLabels),
			},
			want: []string{"https://10.0.0.1:2379"},
		},
		{
			name:    "no Pod has the annotation",
			objs:    []runtime.Object{etcdPod("etcd-cp1", "kube-system", "", etcdLabels)},
			wantErr: "none of the 1 etcd Pods in kube-system has the kubeadm.kubernetes.io/etcd.advertise-client-urls annotation",
		},
		{
			name: "other Pods and namespaces do not count",
			objs: []runtime.Object{
				etcdPod("etcd-cp1", "default", "https://10.0.0.1:2379", etcdLabels),
				etcdPod("kube-apiserver-cp1", "kube-system", "https://10.0.0.9:2379", map[string]string{"component": "kube-apiserver", "tier": "control-plane"}),
				etcdPod("etcd-external", "kube-system", "https://10.0.0.8:2379", map[string]string{"component": "etcd"}),
			},
			wantErr: "no Pod labelled component=etcd,tier=control-plane in kube-system: the cluster does not run stacked etcd",
		},
		{
			name:    "no Pods",
			wantErr: "no Pod labelled component=etcd,tier=control-plane in kube-system",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Endpoints(t.Context(), kubefake.Wrap(fake.NewClientset(tt.objs...)))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Endpoints() error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Endpoints() error = %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Endpoints() (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEndpointsRetriesTransientErrors(t *testing.T) {
	t.Parallel()
	cs := fake.NewClientset(etcdPod("etcd-cp1", "kube-system", "https://10.0.0.1:2379", etcdLabels))
	failures := 2
	cs.PrependReactor("list", "pods", func(k8stesting.Action) (bool, runtime.Object, error) {
		if failures > 0 {
			failures--
			return true, nil, apierrors.NewServiceUnavailable("starting")
		}
		return false, nil, nil
	})
	got, err := Endpoints(t.Context(), kubefake.Wrap(cs))
	if err != nil {
		t.Fatalf("Endpoints() error = %v", err)
	}
	if diff := cmp.Diff([]string{"https://10.0.0.1:2379"}, got); diff != "" {
		t.Errorf("Endpoints() (-want +got):\n%s", diff)
	}
	if failures != 0 {
		t.Errorf("Endpoints() stopped with %d failures left", failures)
	}
}

func TestEndpointsStops(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		err     error
		timeout time.Duration
		wantErr string
	}{
		{name: "forbidden at once", err: apierrors.NewForbidden(corev1.Resource("pods"), "", nil), timeout: time.Minute, wantErr: "forbidden"},
		{name: "transient until ctx is done", err: apierrors.NewServiceUnavailable("down"), timeout: 1200 * time.Millisecond, wantErr: "(gave up at the deadline)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cs := fake.NewClientset()
			cs.PrependReactor("list", "pods", func(k8stesting.Action) (bool, runtime.Object, error) {
				return true, nil, tt.err
			})
			ctx, cancel := context.WithTimeout(t.Context(), tt.timeout)
			defer cancel()
			start := time.Now()
			_, err := Endpoints(ctx, kubefake.Wrap(cs))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Endpoints() error = %v, want one containing %q", err, tt.wantErr)
			}
			if took := time.Since(start); took > tt.timeout+time.Second {
				t.Errorf("Endpoints() took %s with a %s deadline", took, tt.timeout)
			}
		})
	}
}
