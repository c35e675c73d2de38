package staticpod

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
)

func TestStartupCoversTimeout(t *testing.T) {
	t.Parallel()
	tests := []struct {
		timeout time.Duration
		want    int32
	}{
		{4 * time.Minute, 24},
		{150 * time.Second, 15},
		{25 * time.Second, 3},
	}
	for _, tt := range tests {
		p := Startup("127.0.0.1", "/livez", corev1.URISchemeHTTPS, tt.timeout)
		if p.FailureThreshold != tt.want || p.PeriodSeconds != 10 || p.InitialDelaySeconds != 10 {
			t.Errorf("Startup(%v): threshold %d, period %d, delay %d; want %d, 10, 10",
				tt.timeout, p.FailureThreshold, p.PeriodSeconds, p.InitialDelaySeconds, tt.want)
		}
	}
}

func TestProbeHost(t *testing.T) {
	t.Parallel()
	for addr, want := range map[string]string{"0.0.0.0": "", "::": "", "10.0.0.1": "10.0.0.1", "::1": "::1"} {
		if got := ProbeHost(addr); got != want {
			t.Errorf("ProbeHost(%q) = %q, want %q", addr, got, want)
		}
	}
}
