package discovery

import (
	"errors"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/kadm-project/kadm/config"
)

// tokenEnv is what a token discovery case builds its cluster-info from.
type tokenEnv struct {
	server string // https://127.0.0.1:port
	ca     testCA // the CA whose certificate the API server presents
	extra  testCA // an unrelated CA, never the server's
}

func TestDiscoverToken(t *testing.T) {
	t.Parallel()
	ours := func(t *testing.T, e tokenEnv) func(int) *corev1.ConfigMap {
		cm := signedClusterInfo(t, clusterInfoKubeconfig(t, e.server, e.ca.pem()), testToken, otherTokenID+"."+otherSecret)
		return func(int) *corev1.ConfigMap { return cm }
	}
	othersOnly := func(t *testing.T, e tokenEnv) func(int) *corev1.ConfigMap {
		cm := signedClusterInfo(t, clusterInfoKubeconfig(t, e.server, e.ca.pem()), otherTokenID+"."+otherSecret)
		return func(int) *corev1.ConfigMap { return cm }
	}
	pinCA := func(e tokenEnv) []string { return []string{e.ca.pin()} }

	tests := []struct {
		name        string
		clusterInfo func(t *testing.T, e tokenEnv) func(int) *corev1.ConfigMap
		pins        func(e tokenEnv) []string
		unsafe      bool
		known       bool // the authenticator accepts the token
		// servedByExtra makes the API server present a certificate from the unpinned CA.
		servedByExtra bool
		grace         time.Duration
		timeout       time.Duration // default 1s
		wantErr       error
		wantErrText   []string
		wantReport    []string
		// raw replaces every cluster-info answer with these bytes.
		raw []byte
		// wantReads, when set, is how often cluster-info must have been read:
		// 1 for what fails at once.
		wantReads  int32
		minElapsed time.Duration
		maxElapsed time.Duration
		check      func(t *testing.T, e tokenEnv, cfg *clientcmdapi.Config, api *fakeAPI)
	}{
		{
			name:        "pinned CA succeeds after a verified second read",
			clusterInfo: ours,
			pins:        pinCA,
			wantReport:  []string{"validates against pinned roots"},
			check: func(t *testing.T, e tokenEnv, cfg *clientcmdapi.Config, api *fakeAPI) {
				assertTokenKubeconfig(t, cfg, e.server, string(e.ca.pem()))
				if n := api.reads.Load(); n != 2 {
					t.Errorf("cluster-info read %d times, want 2 (unverified, then pinned)", n)
				}
				if n := api.reviews.Load(); n != 0 {
					t.Errorf("%d SelfSubjectReviews for a signed token, want none", n)
				}
			},
		},
		{
			name:        "any of several pins passes",
			clusterInfo: ours,
			pins: func(e tokenEnv) []string {
				return []string{e.extra.pin(), strings.ToUpper(e.ca.pin()[:7]) + e.ca.pin()[7:]}
			},
			check: func(t *testing.T, e tokenEnv, cfg *clientcmdapi.Config, _ *fakeAPI) {
				assertTokenKubeconfig(t, cfg, e.server, string(e.ca.pem()))
			},
		},
		{
			name:        "wrong pin fails at once with the real hash",
			clusterInfo: ours,
			pins:        func(e tokenEnv) []string { return []string{e.extra.pin()} },
			wantErr:     ErrCAHashMismatch,
			maxElapsed:  time.Second,
		},
		{
			name: "unpinned CA in the bundle is dropped with a warning",
			clusterInfo: func(t *testing.T, e tokenEnv) func(int) *corev1.ConfigMap {
				bundle := append(e.ca.pem(), e.extra.pem()...)
				cm := signedClusterInfo(t, clusterInfoKubeconfig(t, e.server, bundle), testToken)
				return func(int) *corev1.ConfigMap { return cm }
			},
			pins:       pinCA,
			wantReport: []string{"WARNING", "matches no pinned hash", "CN=extra"},
			check: func(t *testing.T, e tokenEnv, cfg *clientcmdapi.Config, _ *fakeAPI) {
				assertTokenKubeconfig(t, cfg, e.server, string(e.ca.pem()))
			},
		},
		{
			name: "a server certificate from the unpinned CA in the bundle is not trusted",
			clusterInfo: func(t *testing.T, e tokenEnv) func(int) *corev1.ConfigMap {
				bundle := append(e.ca.pem(), e.extra.pem()...)
				cm := signedClusterInfo(t, clusterInfoKubeconfig(t, e.server, bundle), testToken)
				return func(int) *corev1.ConfigMap { return cm }
			},
			servedByExtra: true,
			pins:          pinCA,
			wantErrText:   []string{"does not present a certificate signed by the pinned CA"},
			maxElapsed:    time.Second,
		},
		{
			name: "several clusters in cluster-info are refused",
			clusterInfo: func(t *testing.T, e tokenEnv) func(int) *corev1.ConfigMap {
				cm := signedClusterInfo(t, clusterInfoKubeconfig(t, e.server, e.ca.pem(), "second"), testToken)
				return func(int) *corev1.ConfigMap { return cm }
			},
			pins:        pinCA,
			wantErrText: []string{"2 clusters defined", "want exactly one"},
			maxElapsed:  time.Second,
		},
		{
			name: "content changed on the pinned read is refused",
			clusterInfo: func(t *testing.T, e tokenEnv) func(int) *corev1.ConfigMap {
				first := signedClusterInfo(t, clusterInfoKubeconfig(t, e.server, e.ca.pem()), testToken)
				second := signedClusterInfo(t, clusterInfoKubeconfig(t, "https://10.0.0.1:6443", e.ca.pem()), testToken)
				return func(n int) *corev1.ConfigMap {
					if n == 0 {
						return first
					}
					return second
				}
			},
			pins:        pinCA,
			wantErrText: []string{"cluster-info changed"},
			maxElapsed:  time.Second,
		},
		{
			name:        "unsafe skip succeeds and says what it gives up",
			clusterInfo: ours,
			unsafe:      true,
			wantReport:  []string{"WARNING", "not checked against a pinned hash", "impersonate"},
			check: func(t *testing.T, e tokenEnv, cfg *clientcmdapi.Config, api *fakeAPI) {
				assertTokenKubeconfig(t, cfg, e.server, string(e.ca.pem()))
				if n := api.reads.Load(); n != 1 {
					t.Errorf("cluster-info read %d times, want 1", n)
				}
			},
		},
		{
			name:        "no pin and no unsafe skip is refused before connecting",
			clusterInfo: ours,
			wantErrText: []string{"--discovery-token-ca-cert-hash", "--discovery-token-unsafe-skip-ca-verification"},
			check: func(t *testing.T, _ tokenEnv, _ *clientcmdapi.Config, api *fakeAPI) {
				if n := api.reads.Load(); n != 0 {
					t.Errorf("cluster-info read %d times, want 0", n)
				}
			},
		},
		{
			name:        "unknown token with pins fails at once through a SelfSubjectReview",
			clusterInfo: othersOnly,
			pins:        pinCA,
			grace:       time.Minute,
			wantErr:     ErrUnknownToken,
			wantErrText: []string{`"abcdef"`, "kadm token create --print-join-command"},
			maxElapsed:  time.Second,
			check: func(t *testing.T, _ tokenEnv, _ *clientcmdapi.Config, api *fakeAPI) {
				if n := api.reviews.Load(); n != 1 {
					t.Errorf("%d SelfSubjectReviews, want 1", n)
				}
			},
		},
		{
			name:        "unknown token without pins fails after the grace",
			clusterInfo: othersOnly,
			unsafe:      true,
			grace:       400 * time.Millisecond,
			wantErr:     ErrUnknownToken,
			wantErrText: []string{`"abcdef"`, "token create --print-join-command"},
			minElapsed:  400 * time.Millisecond,
			maxElapsed:  3 * time.Second,
			check: func(t *testing.T, _ tokenEnv, _ *clientcmdapi.Config, api *fakeAPI) {
				if n := api.reviews.Load(); n != 0 {
					t.Errorf("token presented %d times in unsafe mode, want never", n)
				}
			},
		},
		{
			name: "token signed within the grace succeeds",
			clusterInfo: func(t *testing.T, e tokenEnv) func(int) *corev1.ConfigMap {
				kc := clusterInfoKubeconfig(t, e.server, e.ca.pem())
				before := signedClusterInfo(t, kc, otherTokenID+"."+otherSecret)
				after := signedClusterInfo(t, kc, otherTokenID+"."+otherSecret, testToken)
				return func(n int) *corev1.ConfigMap {
					if n < 2 {
						return before
					}
					return after
				}
			},
			unsafe:  true,
			grace:   3 * time.Second,
			timeout: 5 * time.Second,
			check: func(t *testing.T, e tokenEnv, cfg *clientcmdapi.Config, _ *fakeAPI) {
				assertTokenKubeconfig(t, cfg, e.server, string(e.ca.pem()))
			},
		},
		{
			name: "known token waits beyond the grace for its signature",
			clusterInfo: func(t *testing.T, e tokenEnv) func(int) *corev1.ConfigMap {
				kc := clusterInfoKubeconfig(t, e.server, e.ca.pem())
				before := signedClusterInfo(t, kc, otherTokenID+"."+otherSecret)
				after := signedClusterInfo(t, kc, testToken)
				return func(n int) *corev1.ConfigMap {
					if n < 2 {
						return before
					}
					return after
				}
			},
			timeout:    5 * time.Second,
			pins:       pinCA,
			known:      true,
			grace:      time.Millisecond,
			wantReport: []string{"accepts token ID"},
			check: func(t *testing.T, e tokenEnv, cfg *clientcmdapi.Config, api *fakeAPI) {
				assertTokenKubeconfig(t, cfg, e.server, string(e.ca.pem()))
				if n := api.reviews.Load(); n != 1 {
					t.Errorf("%d SelfSubjectReviews, want 1: a known token needs no second review", n)
				}
			},
		},
		{
			name: "wrong token secret fails at once",
			clusterInfo: func(t *testing.T, e tokenEnv) func(int) *corev1.ConfigMap {
				cm := signedClusterInfo(t, clusterInfoKubeconfig(t, e.server, e.ca.pem()), testTokenID+".ffffffffffffffff")
				return func(int) *corev1.ConfigMap { return cm }
			},
			pins:        pinCA,
			wantErrText: []string{"does not verify"},
			maxElapsed:  time.Second,
		},
		{
			name: "a CA that does not decode as base64 is named as malformed at once",
			clusterInfo: func(t *testing.T, e tokenEnv) func(int) *corev1.ConfigMap {
				kc := "apiVersion: v1\nkind: Config\nclusters:\n- name: \"\"\n  cluster:\n    server: " + e.server + "\n    certificate-authority-data: '!!not base64!!'\n"
				cm := signedClusterInfo(t, kc, testToken)
				return func(int) *corev1.ConfigMap { return cm }
			},
			pins:        pinCA,
			timeout:     time.Minute,
			wantErr:     ErrMalformed,
			wantErrText: []string{"the kubeconfig in cluster-info does not parse", "illegal base64"},
			wantReads:   1,
		},
		{
			name: "a CA bundle with no certificate is malformed, not an impersonator",
			clusterInfo: func(t *testing.T, e tokenEnv) func(int) *corev1.ConfigMap {
				cm := signedClusterInfo(t, clusterInfoKubeconfig(t, e.server, []byte("not a certificate")), testToken)
				return func(int) *corev1.ConfigMap { return cm }
			},
			pins:        pinCA,
			timeout:     time.Minute,
			wantErr:     ErrMalformed,
			wantErrText: []string{"the CA bundle in cluster-info does not parse"},
			wantReads:   1,
		},
		{
			name: "cluster-info without the kubeconfig key fails at once",
			clusterInfo: func(t *testing.T, e tokenEnv) func(int) *corev1.ConfigMap {
				cm := signedClusterInfo(t, clusterInfoKubeconfig(t, e.server, e.ca.pem()), testToken)
				delete(cm.Data, "kubeconfig")
				return func(int) *corev1.ConfigMap { return cm }
			},
			pins:        pinCA,
			timeout:     time.Minute,
			wantErrText: []string{`has no "kubeconfig" key`, "not set up for token discovery"},
			wantReads:   1,
		},
		{
			name: "an http:// server in cluster-info is refused",
			clusterInfo: func(t *testing.T, e tokenEnv) func(int) *corev1.ConfigMap {
				cm := signedClusterInfo(t, clusterInfoKubeconfig(t, strings.Replace(e.server, "https://", "http://", 1), e.ca.pem()), testToken)
				return func(int) *corev1.ConfigMap { return cm }
			},
			pins:        pinCA,
			timeout:     time.Minute,
			wantErrText: []string{"is not an https:// URL"},
			wantReads:   1,
		},
		{
			name:        "an answer that is not a ConfigMap is named as malformed at once",
			raw:         []byte("<html>a proxy's page</html>"),
			pins:        pinCA,
			timeout:     time.Minute,
			wantErr:     ErrMalformed,
			wantErrText: []string{"is not a cluster-info ConfigMap"},
			wantReads:   1,
		},
		{
			name:        "an oversized answer is named as such at once, not cut and called unreachable",
			raw:         []byte(`{"data":{"kubeconfig":"` + strings.Repeat("x", maxDiscoveryBody) + `"}}`),
			pins:        pinCA,
			timeout:     time.Minute,
			wantErr:     ErrMalformed,
			wantErrText: []string{"larger than 1048576 bytes"},
			wantReads:   1,
		},
		{
			name: "unsigned cluster-info is waited for until the timeout",
			clusterInfo: func(t *testing.T, e tokenEnv) func(int) *corev1.ConfigMap {
				cm := signedClusterInfo(t, clusterInfoKubeconfig(t, e.server, e.ca.pem()))
				return func(int) *corev1.ConfigMap { return cm }
			},
			pins:        pinCA,
			grace:       time.Millisecond,
			wantErrText: []string{"did not complete within", "no signatures yet"},
			minElapsed:  time.Second,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ca, extra := newTestCA(t, "kubernetes"), newTestCA(t, "extra")
			api := &fakeAPI{t: t, known: map[string]bool{}}
			if tc.known {
				api.known[testToken] = true
			}
			var serve func(int) *corev1.ConfigMap
			api.clusterInfo = func(n int) *corev1.ConfigMap { return serve(n) }
			api.raw = tc.raw
			serverCA := ca
			if tc.servedByExtra {
				serverCA = extra
			}
			srv := startTLS(t, serverCA, "", api)
			env := tokenEnv{server: srv.URL, ca: ca, extra: extra}
			if tc.clusterInfo != nil {
				serve = tc.clusterInfo(t, env)
			}

			bt := &config.BootstrapTokenDiscovery{
				Token:                    testToken,
				APIServerEndpoint:        strings.TrimPrefix(srv.URL, "https://"),
				UnsafeSkipCAVerification: tc.unsafe,
			}
			if tc.pins != nil {
				bt.CACertHashes = tc.pins(env)
			}
			timeout := tc.timeout
			if timeout == 0 {
				timeout = time.Second
			}
			var rep reports
			start := time.Now()
			cfg, err := Discover(rep.ctx(), &config.JoinConfiguration{Discovery: config.Discovery{BootstrapToken: bt}},
				Options{Timeout: timeout, UnknownTokenGrace: tc.grace})
			elapsed := time.Since(start)

			wantFail := tc.wantErr != nil || tc.wantErrText != nil
			switch {
			case wantFail && err == nil:
				t.Fatalf("Discover succeeded, want an error")
			case !wantFail && err != nil:
				t.Fatalf("Discover: %v\nreports:\n%s", err, rep.String())
			}
			if err != nil {
				assertNoSecret(t, err.Error())
				if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
					t.Errorf("error %v, want one wrapping %v", err, tc.wantErr)
				}
				for _, s := range tc.wantErrText {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("error %q does not contain %q", err, s)
					}
				}
				if errors.Is(tc.wantErr, ErrCAHashMismatch) && !strings.Contains(err.Error(), ca.pin()) {
					t.Errorf("error %q does not print the server CA's hash %s", err, ca.pin())
				}
			}
			assertNoSecret(t, rep.String())
			for _, s := range tc.wantReport {
				if !strings.Contains(rep.String(), s) {
					t.Errorf("reports do not contain %q:\n%s", s, rep.String())
				}
			}
			if tc.wantReads > 0 && api.reads.Load() != tc.wantReads {
				t.Errorf("cluster-info read %d times, want %d", api.reads.Load(), tc.wantReads)
			}
			if errors.Is(err, ErrMalformed) && strings.Contains(err.Error(), "impersonating") {
				t.Errorf("malformed data blamed on an impersonator: %v", err)
			}
			if tc.maxElapsed > 0 && elapsed > tc.maxElapsed {
				t.Errorf("took %s, want at most %s", elapsed, tc.maxElapsed)
			}
			if elapsed < tc.minElapsed {
				t.Errorf("took %s, want at least %s", elapsed, tc.minElapsed)
			}
			if tc.check != nil {
				tc.check(t, env, cfg, api)
			}
		})
	}
}

// assertTokenKubeconfig checks the bootstrap kubeconfig of token discovery.
func assertTokenKubeconfig(t *testing.T, cfg *clientcmdapi.Config, server, caPEM string) {
	t.Helper()
	kctx := cfg.Contexts[cfg.CurrentContext]
	if kctx == nil {
		t.Fatalf("current context %q missing", cfg.CurrentContext)
	}
	cluster, auth := cfg.Clusters[kctx.Cluster], cfg.AuthInfos[kctx.AuthInfo]
	if cluster == nil || auth == nil {
		t.Fatalf("context %q points at missing cluster or user", cfg.CurrentContext)
	}
	if kctx.Cluster != "kubernetes" || kctx.AuthInfo != TokenUser {
		t.Errorf("context = %s/%s, want kubernetes/%s", kctx.Cluster, kctx.AuthInfo, TokenUser)
	}
	if cluster.Server != server {
		t.Errorf("server = %q, want %q", cluster.Server, server)
	}
	if string(cluster.CertificateAuthorityData) != caPEM {
		t.Errorf("CA data =\n%s\nwant\n%s", cluster.CertificateAuthorityData, caPEM)
	}
	if auth.Token != testToken {
		t.Errorf("credentials are not the TLS bootstrap token")
	}
}
