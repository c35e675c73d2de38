package discovery

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/kubeconfig"
)

func TestDiscoverHTTPS(t *testing.T) {
	t.Parallel()
	const apiServer = "https://10.0.0.1:6443"
	tests := []struct {
		name string
		// handler serves the discovery URL; its kubeconfig names apiServer with caPEM.
		handler   func(kubeconfig []byte) http.HandlerFunc
		plainHTTP bool // serve without TLS and pass an http:// URL
		trustCA   bool // RootCAs holds the server's CA (otherwise an unrelated one)
		timeout   time.Duration
		wantHits  int32 // -1: do not check
		wantErr   []string
	}{
		{
			name:     "kubeconfig from a trusted server",
			handler:  func(kc []byte) http.HandlerFunc { return func(w http.ResponseWriter, _ *http.Request) { w.Write(kc) } },
			trustCA:  true,
			wantHits: 1,
		},
		{
			name:      "http is refused before any connection",
			handler:   func(kc []byte) http.HandlerFunc { return func(w http.ResponseWriter, _ *http.Request) { w.Write(kc) } },
			plainHTTP: true,
			trustCA:   true,
			wantHits:  0,
			wantErr:   []string{"only https:// URLs"},
		},
		{
			name: "error status is reported",
			handler: func([]byte) http.HandlerFunc {
				return func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "gone", http.StatusNotFound) }
			},
			trustCA:  true,
			wantHits: 1,
			wantErr:  []string{"HTTP 404"},
		},
		{
			name: "oversize body is refused",
			handler: func(kc []byte) http.HandlerFunc {
				return func(w http.ResponseWriter, _ *http.Request) {
					w.Write(kc)
					w.Write([]byte("#" + strings.Repeat("x", maxDiscoveryBody)))
				}
			},
			trustCA:  true,
			wantHits: 1,
			wantErr:  []string{"larger than 1048576 bytes"},
		},
		{
			name:     "server with an untrusted CA is refused",
			handler:  func(kc []byte) http.HandlerFunc { return func(w http.ResponseWriter, _ *http.Request) { w.Write(kc) } },
			wantHits: -1,
			wantErr:  []string{"certificate signed by unknown authority"},
		},
		{
			name: "a server that never answers is bounded by the timeout",
			handler: func([]byte) http.HandlerFunc {
				return func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() }
			},
			trustCA:  true,
			timeout:  300 * time.Millisecond,
			wantHits: 1,
			wantErr:  []string{"context deadline exceeded"},
		},
		{
			name: "redirect to http is refused",
			handler: func([]byte) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					http.Redirect(w, r, "http://127.0.0.1:1/kubeconfig", http.StatusFound)
				}
			},
			trustCA:  true,
			wantHits: 1,
			wantErr:  []string{"discovery is HTTPS only"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ca, other := newTestCA(t, "web"), newTestCA(t, "other")
			clusterCA := newTestCA(t, "kubernetes")
			kc, err := clientcmd.Write(*kubeconfigWith(apiServer, clientcmdapi.Cluster{CertificateAuthorityData: clusterCA.pem()}, nil))
			if err != nil {
				t.Fatal(err)
			}
			var hits atomic.Int32
			h := tc.handler(kc)
			counted := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1); h(w, r) })
			var url string
			if tc.plainHTTP {
				srv := httptest.NewServer(counted)
				t.Cleanup(srv.Close)
				url = srv.URL + "/kubeconfig"
			} else {
				url = startTLS(t, ca, "", counted).URL + "/kubeconfig?sig=s3cr3t"
			}
			roots := other.pool()
			if tc.trustCA {
				roots = ca.pool()
			}
			timeout := tc.timeout
			if timeout == 0 {
				timeout = 5 * time.Second
			}
			cfg := &config.JoinConfiguration{Discovery: config.Discovery{
				File: &config.FileDiscovery{KubeConfigPath: url}, TLSBootstrapToken: testToken,
			}}
			start := time.Now()
			got, err := Discover(context.Background(), cfg, Options{Timeout: timeout, RootCAs: roots})
			if elapsed := time.Since(start); elapsed > timeout+time.Second {
				t.Errorf("took %s, want the request bounded by the timeout %s", elapsed, timeout)
			}
			if tc.wantHits >= 0 && hits.Load() != tc.wantHits {
				t.Errorf("server hit %d times, want %d", hits.Load(), tc.wantHits)
			}
			if tc.wantErr != nil {
				if err == nil {
					t.Fatal("Discover succeeded, want an error")
				}
				for _, s := range tc.wantErr {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("error %q does not contain %q", err, s)
					}
				}
				if strings.Contains(err.Error(), "s3cr3t") {
					t.Errorf("error %q shows the URL's query", err)
				}
				assertNoSecret(t, err.Error())
				return
			}
			if err != nil {
				t.Fatalf("Discover: %v", err)
			}
			assertTokenKubeconfig(t, got, apiServer, string(clusterCA.pem()))
		})
	}
}

// TestDiscoverHTTPSCredentials: a downloaded kubeconfig's credentials are
// data or nothing: one that would run a program or read a file of this
// node is refused, whatever else it holds, unless a TLS bootstrap token was
// given, which wins over the file's credentials (as with kubeadm) so that
// they are never used. A local file keeps them (TestDiscoverFile).
func TestDiscoverHTTPSCredentials(t *testing.T) {
	t.Parallel()
	const apiServer = "https://10.0.0.1:6443"
	exec := &clientcmdapi.ExecConfig{Command: "/usr/bin/id", APIVersion: "client.authentication.k8s.io/v1", InteractiveMode: clientcmdapi.NeverExecInteractiveMode}
	tests := []struct {
		name     string
		auth     *clientcmdapi.AuthInfo
		tlsToken string
		wantErr  string // also ErrCredentials
		wantUser string // the credentials of the bootstrap kubeconfig
	}{
		{name: "exec", auth: &clientcmdapi.AuthInfo{Exec: exec}, wantErr: `exec (command "/usr/bin/id")`},
		{name: "auth-provider", auth: &clientcmdapi.AuthInfo{AuthProvider: &clientcmdapi.AuthProviderConfig{Name: "oidc"}}, wantErr: "auth-provider"},
		{name: "token file", auth: &clientcmdapi.AuthInfo{TokenFile: "/etc/shadow"}, wantErr: "tokenFile"},
		{name: "client certificate files", auth: &clientcmdapi.AuthInfo{ClientCertificate: "/etc/kubernetes/pki/ca.crt", ClientKey: "/etc/kubernetes/pki/ca.key"},
			wantErr: "client-certificate (a file), client-key (a file)"},
		{name: "a token as data is used", auth: &clientcmdapi.AuthInfo{Token: "node-token"}, wantUser: "node-token"},
		{name: "the TLS bootstrap token wins over exec, which is never run", auth: &clientcmdapi.AuthInfo{Exec: exec}, tlsToken: testToken, wantUser: testToken},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			web, clusterCA := newTestCA(t, "web"), newTestCA(t, "kubernetes")
			kc, err := clientcmd.Write(*kubeconfigWith(apiServer, clientcmdapi.Cluster{CertificateAuthorityData: clusterCA.pem()}, tc.auth))
			if err != nil {
				t.Fatal(err)
			}
			srv := startTLS(t, web, "", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write(kc) }))
			cfg := &config.JoinConfiguration{Discovery: config.Discovery{
				File: &config.FileDiscovery{KubeConfigPath: srv.URL + "/kubeconfig"}, TLSBootstrapToken: tc.tlsToken,
			}}
			got, err := Discover(context.Background(), cfg, Options{Timeout: 5 * time.Second, RootCAs: web.pool()})
			if tc.wantErr != "" {
				if !errors.Is(err, ErrCredentials) || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), "--tls-bootstrap-token") {
					t.Fatalf("error %v, want ErrCredentials naming %q and the way out", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Discover: %v", err)
			}
			_, user, err := kubeconfig.Current(got)
			if err != nil {
				t.Fatal(err)
			}
			if user.Token != tc.wantUser || user.Exec != nil || user.TokenFile != "" || user.ClientKey != "" {
				t.Errorf("bootstrap credentials %+v, want only the token %q", user, tc.wantUser)
			}
		})
	}
}
