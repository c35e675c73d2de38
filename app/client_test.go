package app

import (
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/kubeconfig"
)

// TestInitClientTalksToTheLocalAPIServer: admin.conf names a
// controlPlaneEndpoint that does not answer; init's client talks to the
// node's own API server instead and gets its work done there.
func TestInitClientTalksToTheLocalAPIServer(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if r.Method != http.MethodPost || r.URL.Path != "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings" {
			http.NotFound(w, r)
			return
		}
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		w.Write(body)
	}))
	t.Cleanup(srv.Close)
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	dir := t.TempDir()
	admin := filepath.Join(dir, kubeconfig.AdminFile)
	// Nothing listens on port 1: the load balancer is not there yet.
	if err := kubeconfig.Write(admin, kubeconfig.WithToken("https://127.0.0.1:1", "kubernetes", "kubernetes-admin", ca, "token")); err != nil {
		t.Fatal(err)
	}
	if _, err := initClient(t.Context(), admin, dir, srv.URL, 5*time.Second); err != nil {
		t.Fatalf("through the local API server: %v", err)
	}
	if calls.Load() != 1 {
		t.Errorf("the local API server had %d requests, want the one binding", calls.Load())
	}
	if _, err := initClient(t.Context(), admin, dir, "", 500*time.Millisecond); err == nil {
		t.Error("through admin.conf's own server, which does not answer: no error")
	}
}

func TestInitServer(t *testing.T) {
	t.Parallel()
	local := config.APIEndpoint{AdvertiseAddress: "10.0.0.5", BindPort: 6443}
	if got, err := initServer(config.DefaultAdminConf, local); err != nil || got != "https://10.0.0.5:6443" {
		t.Errorf("default admin.conf: %q, %v; want this node's API server", got, err)
	}
	if got, err := initServer("/home/me/other.conf", local); err != nil || got != "" {
		t.Errorf("a --kubeconfig of the user's: %q, %v; want the server it names", got, err)
	}
}
