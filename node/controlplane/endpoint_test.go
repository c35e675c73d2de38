package controlplane

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kadm-project/kadm/config"
)

func TestEndpointOf(t *testing.T) {
	t.Parallel()
	pod := func(annotation string, args ...string) *corev1.Pod {
		p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "kube-apiserver"},
			Spec: corev1.PodSpec{Containers: []corev1.Container{{Command: append([]string{"kube-apiserver"}, args...)}}}}
		if annotation != "" {
			p.Annotations = map[string]string{AdvertiseAddressAnnotation: annotation}
		}
		return p
	}
	tests := []struct {
		name    string
		pod     *corev1.Pod
		want    config.APIEndpoint
		wantErr string
	}{
		{"annotation", pod("10.0.0.1:8443", "--advertise-address=10.9.9.9"), config.APIEndpoint{AdvertiseAddress: "10.0.0.1", BindPort: 8443}, ""},
		{"IPv6 annotation", pod("[fd00::1]:6443"), config.APIEndpoint{AdvertiseAddress: "fd00::1", BindPort: 6443}, ""},
		{"flags", pod("", "--advertise-address=10.0.0.2", "--secure-port=7443"), config.APIEndpoint{AdvertiseAddress: "10.0.0.2", BindPort: 7443}, ""},
		{"default port", pod("", "--advertise-address=10.0.0.2"), config.APIEndpoint{AdvertiseAddress: "10.0.0.2", BindPort: 6443}, ""},
		{"nothing", pod(""), config.APIEndpoint{}, "names no advertise address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := EndpointOf(tt.pod)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("EndpointOf = %v, %v; want an error containing %q", got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("EndpointOf = %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}
