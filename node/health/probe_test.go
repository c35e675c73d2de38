package health

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

func TestFromProbe(t *testing.T) {
	t.Parallel()
	probe := func(host, path string, port intstr.IntOrString, scheme corev1.URIScheme) *corev1.Probe {
		return &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Host: host, Path: path, Port: port, Scheme: scheme}}}
	}
	ctr := func(c corev1.Container) *corev1.Pod {
		c.Ports = []corev1.ContainerPort{{Name: "probe-port", ContainerPort: 6443}}
		return &corev1.Pod{Spec: corev1.PodSpec{Containers: []corev1.Container{c}}}
	}
	named := intstr.FromString("probe-port")
	tests := []struct {
		name string
		pod  *corev1.Pod
		want string
	}{
		{"readiness first", ctr(corev1.Container{
			ReadinessProbe: probe("10.0.0.1", "/readyz", named, corev1.URISchemeHTTPS),
			LivenessProbe:  probe("10.0.0.1", "/livez", named, corev1.URISchemeHTTPS),
		}), "https://10.0.0.1:6443/readyz"},
		{"startup without readiness", ctr(corev1.Container{
			StartupProbe:  probe("127.0.0.1", "/healthz", intstr.FromInt32(10257), corev1.URISchemeHTTPS),
			LivenessProbe: probe("127.0.0.1", "/livez", named, corev1.URISchemeHTTPS),
		}), "https://127.0.0.1:10257/healthz"},
		{"no host is the node's address", ctr(corev1.Container{LivenessProbe: probe("", "/livez", named, "")}), "http://192.0.2.1:6443/livez"},
		{"IPv6", ctr(corev1.Container{LivenessProbe: probe("::1", "/readyz", intstr.FromInt32(2381), corev1.URISchemeHTTP)}), "http://[::1]:2381/readyz"},
		{"unknown named port", ctr(corev1.Container{LivenessProbe: probe("", "/livez", intstr.FromString("other"), "")}), ""},
		{"exec probe", ctr(corev1.Container{LivenessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{Exec: &corev1.ExecAction{}}}}), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, ok := FromProbe(tt.pod, "192.0.2.1")
			if ok != (tt.want != "") || c.URL != tt.want {
				t.Errorf("FromProbe = %+v, %v; want %q", c, ok, tt.want)
			}
		})
	}
}

func TestWaitHealthyAndDown(t *testing.T) {
	t.Parallel()
	var healthy atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if !healthy.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	c := Component{Name: "etcd", URL: srv.URL + "/readyz"}

	ctx, cancel := context.WithTimeout(t.Context(), 500*time.Millisecond)
	defer cancel()
	if err := WaitHealthy(ctx, c); err == nil || !strings.Contains(err.Error(), "etcd at "+c.URL+": ") || !strings.Contains(err.Error(), "HTTP status 503") {
		t.Errorf("WaitHealthy on an unhealthy endpoint = %v", err)
	}
	healthy.Store(true)
	if err := WaitHealthy(t.Context(), c); err != nil {
		t.Errorf("WaitHealthy on a healthy endpoint = %v", err)
	}
	ctx, cancel = context.WithTimeout(t.Context(), 500*time.Millisecond)
	defer cancel()
	if err := WaitDown(ctx, c); err == nil || !strings.Contains(err.Error(), "still answers") {
		t.Errorf("WaitDown on a running endpoint = %v", err)
	}
	healthy.Store(false)
	if err := WaitDown(t.Context(), c); err != nil {
		t.Errorf("WaitDown on an unhealthy endpoint = %v", err)
	}
	srv.Close()
	if err := WaitDown(t.Context(), c); err != nil {
		t.Errorf("WaitDown on a closed endpoint = %v", err)
	}
}
