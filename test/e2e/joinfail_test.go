//go:build e2e

package e2e

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/kadm-project/kadm/test/e2e/framework"
)

// testJoinFailures runs joins that must fail in discovery, on one host: none
// of them may leave anything behind, so each starts from a fresh node.
func testJoinFailures(t *testing.T, ctx context.Context, c *joinCluster) {
	w := framework.NewHost(t, suite.lab, "join-bad")
	_, realSecret, _ := strings.Cut(c.token, ".")
	unknown, unknownID, unknownSecret := newToken(t)
	wrongHash := "sha256:" + randomHex(t, 32)
	for _, tc := range []struct {
		name   string
		args   []string
		within time.Duration
		want   []string
		secret string
	}{
		{
			name:   "a wrong CA hash fails within a second and prints the real hash",
			args:   []string{c.endpoint, "--token", c.token, "--discovery-token-ca-cert-hash", wrongHash},
			within: time.Second, want: []string{c.hash}, secret: realSecret,
		},
		{
			name:   "an unknown token fails within a second with a CA pin, naming the token ID",
			args:   []string{c.endpoint, "--token", unknown, "--discovery-token-ca-cert-hash", c.hash},
			within: time.Second, want: []string{unknownID, "token create"}, secret: unknownSecret,
		},
		{
			name:   "an unknown token fails within 15 seconds with the unsafe skip, naming the token ID",
			args:   []string{c.endpoint, "--token", unknown, "--discovery-token-unsafe-skip-ca-verification"},
			within: 15 * time.Second, want: []string{unknownID, "token create"}, secret: unknownSecret,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append(append([]string{"join"}, tc.args...), c.preflight...)
			out, elapsed, err := runKadm(t, ctx, w, tc.within+20*time.Second, args...)
			if errors.Is(err, errStillRuns) {
				if _, kerr := inHost(ctx, w, "pkill", "kadm join"); kerr != nil {
					t.Errorf("stop the hung join: %v", kerr)
				}
			}
			if err == nil {
				t.Fatalf("kadm join succeeded, want a discovery failure")
			}
			if elapsed > tc.within {
				t.Errorf("kadm join failed after %s, want within %s", elapsed.Round(time.Millisecond), tc.within)
			}
			for _, want := range tc.want {
				if !strings.Contains(out, want) {
					t.Errorf("the output lacks %q", want)
				}
			}
			if strings.Contains(out, tc.secret) {
				t.Errorf("the output shows the token secret")
			}
			for _, f := range []string{"/etc/kubernetes/bootstrap-kubelet.conf", "/etc/kubernetes/kubelet.conf", "/etc/kubernetes/pki/ca.crt", "/var/lib/kubelet/config.yaml"} {
				if _, err := os.Stat(w.Path(f)); !errors.Is(err, fs.ErrNotExist) {
					t.Errorf("a join that failed in discovery left %s (stat: %v)", f, err)
				}
			}
		})
	}
}

func randomHex(t testing.TB, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}
