package discovery

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/kadm-project/kadm/config"
)

// TestDiscoverRefusesBeforeConnecting checks the mistakes that need no server to detect.
func TestDiscoverRefusesBeforeConnecting(t *testing.T) {
	t.Parallel()
	ca := newTestCA(t, "kubernetes")
	tests := []struct {
		name    string
		disc    func(endpoint string) config.Discovery
		wantErr string
	}{
		{
			name: "malformed pin",
			disc: func(ep string) config.Discovery {
				return config.Discovery{BootstrapToken: &config.BootstrapTokenDiscovery{Token: testToken, APIServerEndpoint: ep, CACertHashes: []string{"sha256:12"}}}
			},
			wantErr: "--discovery-token-ca-cert-hash",
		},
		{
			name: "malformed token",
			disc: func(ep string) config.Discovery {
				return config.Discovery{BootstrapToken: &config.BootstrapTokenDiscovery{Token: "abcdef:" + testTokenSecret, APIServerEndpoint: ep, UnsafeSkipCAVerification: true}}
			},
			wantErr: "does not have the form",
		},
		{
			name: "no endpoint",
			disc: func(string) config.Discovery {
				return config.Discovery{BootstrapToken: &config.BootstrapTokenDiscovery{Token: testToken, UnsafeSkipCAVerification: true}}
			},
			wantErr: "API server endpoint",
		},
		{
			name: "both discovery forms",
			disc: func(ep string) config.Discovery {
				return config.Discovery{
					BootstrapToken: &config.BootstrapTokenDiscovery{Token: testToken, APIServerEndpoint: ep, UnsafeSkipCAVerification: true},
					File:           &config.FileDiscovery{KubeConfigPath: "/etc/kubernetes/discovery.conf"},
				}
			},
			wantErr: "both token and file discovery",
		},
		{name: "no discovery form", disc: func(string) config.Discovery { return config.Discovery{} }, wantErr: "no discovery configured"},
		{
			name: "ftp discovery file",
			disc: func(ep string) config.Discovery {
				return config.Discovery{File: &config.FileDiscovery{KubeConfigPath: "ftp://" + ep + "/kubeconfig"}}
			},
			wantErr: "only https:// URLs",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var hits atomic.Int32
			api := &fakeAPI{t: t, clusterInfo: func(int) *corev1.ConfigMap { hits.Add(1); return nil }}
			srv := startTLS(t, ca, "", api)
			cfg := &config.JoinConfiguration{Discovery: tc.disc(strings.TrimPrefix(srv.URL, "https://"))}
			_, err := Discover(context.Background(), cfg, Options{})
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
			}
			assertNoSecret(t, err.Error())
			if hits.Load() != 0 {
				t.Errorf("server contacted %d times, want none", hits.Load())
			}
		})
	}
}
