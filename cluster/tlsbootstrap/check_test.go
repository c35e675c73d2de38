package tlsbootstrap

import (
	"context"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

func TestCheckKubeconfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// user is who the server says the caller is; empty: 401.
		user    string
		missing bool
		want    string
		wantErr string
	}{
		{name: "authenticated node", user: "system:node:worker-1", want: "system:node:worker-1"},
		{name: "anonymous", user: "system:anonymous", wantErr: ErrAnonymous.Error()},
		{name: "rejected credentials", wantErr: "authenticate with"},
		{name: "no file yet", missing: true, wantErr: "kubelet.conf"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method != http.MethodPost || r.URL.Path != "/apis/authentication.k8s.io/v1/selfsubjectreviews" {
					http.NotFound(w, r)
					return
				}
				w.Header().Set("Content-Type", "application/json")
				if tt.user == "" {
					w.WriteHeader(http.StatusUnauthorized)
					fmt.Fprint(w, `{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Unauthorized","code":401}`)
					return
				}
				w.WriteHeader(http.StatusCreated)
				fmt.Fprintf(w, `{"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview","status":{"userInfo":{"username":%q}}}`, tt.user)
			}))
			t.Cleanup(srv.Close)
			path := filepath.Join(t.TempDir(), "kubelet.conf")
			if !tt.missing {
				cfg := clientcmdapi.NewConfig()
				cfg.Clusters["c"] = &clientcmdapi.Cluster{Server: srv.URL, CertificateAuthorityData: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})}
				cfg.AuthInfos["u"] = &clientcmdapi.AuthInfo{Token: "t"}
				cfg.Contexts["x"] = &clientcmdapi.Context{Cluster: "c", AuthInfo: "u"}
				cfg.CurrentContext = "x"
				if err := clientcmd.WriteToFile(*cfg, path); err != nil {
					t.Fatal(err)
				}
			}
			got, err := CheckKubeconfig(context.Background(), path)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
				}
				if tt.user == "system:anonymous" && !errors.Is(err, ErrAnonymous) {
					t.Errorf("error %v is not ErrAnonymous", err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("CheckKubeconfig = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}
