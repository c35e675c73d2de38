package copycerts

import (
	"net/http"
	"strings"
	"testing"
	"time"

	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/kadm-project/kadm/cluster/kube"
	"github.com/kadm-project/kadm/cluster/objects"
	"github.com/kadm-project/kadm/internal/fakeapi"
)

// TestFetchOwnerReadIsBounded: the read of the Secret's owning token, which
// only tells an expired upload apart early, is bounded like every other
// call: a server that never answers it costs the policy's timeout, not the
// whole join.
func TestFetchOwnerReadIsBounded(t *testing.T) {
	t.Parallel()
	api := fakeapi.Start(t)
	api.AcceptToken("admin-token", "admin")
	client, err := kube.NewFromFile(api.Kubeconfig(t, t.TempDir(), &clientcmdapi.AuthInfo{Token: "admin-token"}), "", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	src := t.TempDir()
	pki(t, src)
	data, err := Bundle(Files(src, nil), testKey)
	if err != nil {
		t.Fatal(err)
	}
	if err := Upload(t.Context(), &objects.Client{Clientset: client, Policy: quick}, data, time.Now()); err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	api.Intercept = func(_ http.ResponseWriter, r *http.Request) bool {
		if r.Method != http.MethodGet || !strings.Contains(r.URL.Path, "/secrets/bootstrap-token-") {
			return false
		}
		select {
		case <-release:
		case <-r.Context().Done():
		}
		return true
	}
	done := make(chan error, 1)
	go func() {
		secret, err := Fetch(t.Context(), client, objects.Policy{Timeout: 300 * time.Millisecond}, time.Now())
		if err == nil && secret.Name != SecretName {
			t.Errorf("fetched %q", secret.Name)
		}
		done <- err
	}()
	select {
	case err = <-done:
	case <-time.After(time.Minute):
		t.Fatal("Fetch still waits for the owner token after a minute")
	}
	if err != nil {
		t.Fatalf("Fetch: %v; an unanswered owner read only leaves out the early expiry check", err)
	}
}
