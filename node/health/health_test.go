package health

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/kadm-project/kadm/internal/progress"
)

func pod(args ...string) *corev1.Pod {
	return &corev1.Pod{Spec: corev1.PodSpec{Containers: []corev1.Container{{Command: args}}}}
}

func TestControlPlaneComponents(t *testing.T) {
	t.Parallel()
	pods := map[string]*corev1.Pod{
		"kube-apiserver":          pod("kube-apiserver", "--advertise-address=10.0.0.1", "--secure-port=6443"),
		"kube-controller-manager": pod("kube-controller-manager", "--bind-address=127.0.0.1"),
		"kube-scheduler":          pod("kube-scheduler", "--secure-port=11259"),
	}
	got, err := ControlPlaneComponents(pods, "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	want := []Component{
		{"kube-apiserver", "https://10.0.0.1:6443/livez"},
		{"kube-controller-manager", "https://127.0.0.1:10257/healthz"},
		{"kube-scheduler", "https://127.0.0.1:11259/livez"},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %v, want %v", got, want)
	}
	pods["kube-apiserver"] = pod("kube-apiserver")
	got, _ = ControlPlaneComponents(pods, "fd00::1")
	if got[0].URL != "https://[fd00::1]:6443/livez" {
		t.Errorf("apiserver without --advertise-address: %v", got[0])
	}
	delete(pods, "kube-scheduler")
	if _, err := ControlPlaneComponents(pods, "10.0.0.1"); err == nil || !strings.Contains(err.Error(), "kube-scheduler") {
		t.Errorf("missing manifest: %v", err)
	}
}

func TestWait(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	healthyAfterTwo := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if calls.Add(1) < 3 {
			w.WriteHeader(http.StatusInternalServerError)
		}
	}))
	defer healthyAfterTwo.Close()
	broken := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer broken.Close()

	var mu sync.Mutex
	var lines []string
	ctx := progress.WithSink(context.Background(), func(m string) {
		mu.Lock()
		defer mu.Unlock()
		lines = append(lines, m)
	})
	err := Wait(ctx, []Component{{"good", healthyAfterTwo.URL}}, 10*time.Second)
	if err != nil {
		t.Fatalf("a component that becomes healthy: %v", err)
	}
	err = Wait(ctx, []Component{{"good", healthyAfterTwo.URL}, {"bad", broken.URL}}, time.Second)
	if err == nil || !strings.Contains(err.Error(), "bad at "+broken.URL) || strings.Contains(err.Error(), "good") {
		t.Errorf("error %v should name only the unhealthy component", err)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a timeout is not reported as one: %v", err)
	}
	text := strings.Join(lines, "")
	for _, want := range []string{"[control-plane-check] Checking bad at", "[control-plane-check] good is healthy after", "[control-plane-check] bad is not healthy after"} {
		if !strings.Contains(text, want) {
			t.Errorf("progress lacks %q:\n%s", want, text)
		}
	}
}
