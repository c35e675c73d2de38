package kubelet

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"k8s.io/utils/ptr"

	"github.com/kadm-project/kadm/config/componentconfig"
	"github.com/kadm-project/kadm/internal/backoff"
)

func TestHealthzURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		kc      componentconfig.KubeletConfiguration
		want    string
		wantErr error
	}{
		{name: "kubeadm's defaults", kc: componentconfig.KubeletConfiguration{HealthzBindAddress: "127.0.0.1", HealthzPort: ptr.To[int32](10248)}, want: "http://127.0.0.1:10248/healthz"},
		{name: "unset fields are the kubelet's defaults", want: "http://127.0.0.1:10248/healthz"},
		{name: "custom port", kc: componentconfig.KubeletConfiguration{HealthzPort: ptr.To[int32](10249)}, want: "http://127.0.0.1:10249/healthz"},
		{name: "IPv6", kc: componentconfig.KubeletConfiguration{HealthzBindAddress: "::1"}, want: "http://[::1]:10248/healthz"},
		{name: "disabled", kc: componentconfig.KubeletConfiguration{HealthzPort: ptr.To[int32](0)}, wantErr: ErrHealthzDisabled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := HealthzURL(&tt.kc)
			if !errors.Is(err, tt.wantErr) || got != tt.want {
				t.Errorf("HealthzURL() = %q, %v; want %q, %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestWaitHealthy(t *testing.T) {
	t.Parallel()
	// closed is an address nothing listens on.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String() + "/healthz"
	l.Close()

	tests := []struct {
		name string
		// failures is how many requests fail before the kubelet is healthy; -1 never.
		failures int32
		url      string
		wantErr  string
	}{
		{name: "healthy at once"},
		{name: "healthy after a few failures", failures: 3},
		{name: "never healthy", failures: -1, wantErr: "status code: 500"},
		{name: "nothing listening", url: closed, wantErr: "connection refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var calls atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/healthz" {
					http.NotFound(w, r)
					return
				}
				if n := calls.Add(1); tt.failures < 0 || n <= tt.failures {
					http.Error(w, "not yet", http.StatusInternalServerError)
					return
				}
				w.Write([]byte("ok"))
			}))
			defer srv.Close()
			url := tt.url
			if url == "" {
				url = srv.URL + "/healthz"
			}
			timeout := 5 * time.Second
			if tt.wantErr != "" {
				timeout = 200 * time.Millisecond
			}
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			defer cancel()
			err := waitHealthy(ctx, url, backoff.New(time.Millisecond, 10*time.Millisecond))
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("waitHealthy() = %v, want nil", err)
				}
				if got, want := calls.Load(), tt.failures+1; got != want {
					t.Errorf("the kubelet was asked %d times, want %d", got, want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("waitHealthy() = %v, want a deadline error quoting %q", err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), "curl -sSL "+url) {
				t.Errorf("error %q does not say which URL failed", err)
			}
		})
	}
}
