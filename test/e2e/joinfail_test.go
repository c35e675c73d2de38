//go:build e2e

package e2e

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/kadm-project/kadm/test/e2e/framework"
)

// testJoinFailures runs joins that must fail in discovery, on one host: none
// of them may leave anything behind, so each starts from a fresh node. The
// time bound is discovery's own, from its first request for cluster-info to
// the failed phase's end, as the join's JSON progress records them: the
// preflight checks before it exec the kubelet and ask containerd, and what
// they take on a 2-core machine shared with other hosts is not discovery's.
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
			args := append(append([]string{"join", "-o", "json"}, tc.args...), c.preflight...)
			out, elapsed, err := runKadm(t, ctx, w, tc.within+20*time.Second, args...)
			if errors.Is(err, errStillRuns) {
				if _, kerr := inHost(ctx, w, "pkill", "kadm join"); kerr != nil {
					t.Errorf("stop the hung join: %v", kerr)
				}
			}
			if err == nil {
				t.Fatalf("kadm join succeeded, want a discovery failure")
			}
			if discovery, err := discoveryTime(out); err != nil {
				t.Error(err)
			} else if discovery > tc.within {
				t.Errorf("discovery failed after %s (the whole join: %s), want within %s", discovery.Round(time.Millisecond), elapsed.Round(time.Millisecond), tc.within)
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

// discoveryTime is how long a failed join's discovery took, by its JSON
// progress: from the first "[discovery] Requesting cluster-info" message to
// the end of the phase that failed.
func discoveryTime(out string) (time.Duration, error) {
	var start, end time.Time
	for _, line := range strings.Split(out, "\n") {
		var e struct {
			Event   string    `json:"event"`
			Time    time.Time `json:"time"`
			Result  string    `json:"result"`
			Message string    `json:"message"`
		}
		if json.Unmarshal([]byte(line), &e) != nil {
			continue
		}
		switch {
		case e.Event == "message" && start.IsZero() && strings.HasPrefix(e.Message, "[discovery] Requesting cluster-info"):
			start = e.Time
		case e.Event == "end" && e.Result == "failure" && end.IsZero():
			end = e.Time
		}
	}
	if start.IsZero() || end.IsZero() {
		return 0, fmt.Errorf("the JSON progress has no discovery request (%v) or no failed phase (%v)", !start.IsZero(), !end.IsZero())
	}
	return end.Sub(start), nil
}

func randomHex(t testing.TB, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}
