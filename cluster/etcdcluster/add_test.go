package etcdcluster

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kadm-project/kadm/pkiutil"
)

// fakeGateway plays etcd's JSON gateway for member list and member add: add
// answers with fails[i] on its i-th call while there are any, and then
// adds the member.
type fakeGateway struct {
	fails []string // etcd error bodies, with their HTTP status first: "503 {...}"
	adds  atomic.Int32
}

func (g *fakeGateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	switch r.URL.Path {
	case pathMemberList:
		fmt.Fprint(w, `{"members":[{"ID":"1","name":"cp1","peerURLs":["https://10.0.0.1:2380"],"clientURLs":["https://10.0.0.1:2379"]}]}`)
	case pathMemberAdd:
		n := int(g.adds.Add(1)) - 1
		if n < len(g.fails) {
			var code int
			var body string
			fmt.Sscanf(g.fails[n], "%d", &code)
			_, body, _ = strings.Cut(g.fails[n], " ")
			w.WriteHeader(code)
			fmt.Fprint(w, body)
			return
		}
		fmt.Fprint(w, `{"member":{"ID":"2","peerURLs":["https://10.0.0.2:2380"],"isLearner":true},`+
			`"members":[{"ID":"1","name":"cp1","peerURLs":["https://10.0.0.1:2380"]},{"ID":"2","peerURLs":["https://10.0.0.2:2380"],"isLearner":true}]}`)
	default:
		http.NotFound(w, r)
	}
}

// TestAddLearnerFailures: what etcd may cure by itself (an election, a
// learner still catching up) is retried until it succeeds; what no retry
// changes (a permission denied, an invalid request, a server the etcd CA
// does not vouch for) fails at the first attempt with its cause, long
// before etcdAPICall would run out.
func TestAddLearnerFailures(t *testing.T) {
	t.Parallel()
	unavailable := `503 {"code":14,"message":"etcdserver: leader changed"}`
	tests := []struct {
		name      string
		fails     []string
		otherCA   bool
		wantErr   string
		wantAdds  int32
		permanent bool
	}{
		{name: "transient: retried until added", fails: []string{unavailable, `500 {"code":9,"message":"etcdserver: too many learner members in cluster"}`}, wantAdds: 3},
		{name: "permission denied", fails: []string{`403 {"code":7,"message":"etcdserver: permission denied"}`}, wantErr: "permission denied", wantAdds: 1, permanent: true},
		{name: "unauthenticated", fails: []string{`401 {"code":16,"message":"etcdserver: invalid auth token"}`}, wantErr: "invalid auth token", wantAdds: 1, permanent: true},
		{name: "invalid request", fails: []string{`400 {"code":3,"message":"etcdserver: bad peer URLs"}`}, wantErr: "bad peer URLs", wantAdds: 1, permanent: true},
		{name: "a server the etcd CA does not vouch for", otherCA: true, wantErr: "trust the etcd CA", permanent: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			pki := t.TempDir()
			testPKI(t, pki, net.IPv4(127, 0, 0, 1))
			serving := pki
			if tt.otherCA {
				serving = t.TempDir()
				testPKI(t, serving, net.IPv4(127, 0, 0, 1))
			}
			cert, key, err := pkiutil.LoadCertAndKey(serving, "etcd/server")
			if err != nil {
				t.Fatal(err)
			}
			gw := &fakeGateway{fails: tt.fails}
			srv := httptest.NewUnstartedServer(gw)
			srv.TLS = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{cert.Raw}, PrivateKey: key}}}
			srv.StartTLS()
			t.Cleanup(srv.Close)
			c, err := New([]string{srv.URL}, pki)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = c.Close() })
			ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
			defer cancel()
			self, _, err := c.AddLearner(ctx, "cp2", "https://10.0.0.2:2380", nil)
			if tt.wantErr == "" {
				if err != nil || self.ID != 2 || !self.IsLearner {
					t.Fatalf("AddLearner = %+v, %v; want learner 2", self, err)
				}
			} else if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("AddLearner error %v, want one naming %q", err, tt.wantErr)
			}
			if tt.permanent && (ctx.Err() != nil || strings.Contains(err.Error(), "gave up")) {
				t.Errorf("a permanent failure was retried until the deadline: %v", err)
			}
			if got := gw.adds.Load(); got != tt.wantAdds {
				t.Errorf("member add asked %d times, want %d", got, tt.wantAdds)
			}
		})
	}
}
