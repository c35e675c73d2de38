package discovery

import (
	"errors"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/kadm-project/kadm/config"
)

func TestDiscoverTokenUnreachable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		upAfter time.Duration // 0: the server never comes up
		timeout time.Duration
		wantErr error
	}{
		{name: "server that comes up late is still joined", upAfter: 700 * time.Millisecond, timeout: 5 * time.Second},
		{name: "server that never comes up fails at the timeout", timeout: 800 * time.Millisecond, wantErr: ErrUnreachable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ca := newTestCA(t, "kubernetes")
			addr := freeAddr(t)
			server := "https://" + addr
			cm := signedClusterInfo(t, clusterInfoKubeconfig(t, server, ca.pem()), testToken)
			api := &fakeAPI{t: t, clusterInfo: func(int) *corev1.ConfigMap { return cm }}
			if tc.upAfter > 0 {
				up := time.AfterFunc(tc.upAfter, func() { startTLS(t, ca, addr, api) })
				t.Cleanup(func() { up.Stop() })
			}
			var rep reports
			cfg := &config.JoinConfiguration{Discovery: config.Discovery{BootstrapToken: &config.BootstrapTokenDiscovery{
				Token: testToken, APIServerEndpoint: addr, CACertHashes: []string{ca.pin()},
			}}}
			start := time.Now()
			got, err := Discover(rep.ctx(), cfg, Options{Timeout: tc.timeout})
			elapsed := time.Since(start)

			if n := strings.Count(rep.String(), "Unable to reach the API server at \""+server+"\""); n != 1 {
				t.Errorf("unreachable reported %d times with the address, want once:\n%s", n, rep.String())
			}
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("error %v, want %v", err, tc.wantErr)
				}
				if !strings.Contains(err.Error(), addr) {
					t.Errorf("error %q does not name %s", err, addr)
				}
				if elapsed < tc.timeout || elapsed > tc.timeout+time.Second {
					t.Errorf("failed after %s, want about the timeout %s", elapsed, tc.timeout)
				}
				return
			}
			if err != nil {
				t.Fatalf("Discover: %v\n%s", err, rep.String())
			}
			assertTokenKubeconfig(t, got, server, string(ca.pem()))
			if elapsed > tc.upAfter+3*time.Second {
				t.Errorf("joined %s after the server came up, want within the back-off cap", elapsed-tc.upAfter)
			}
		})
	}
}
