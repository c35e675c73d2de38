package kube

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/kadm-project/kadm/internal/fakeapi"
)

// TestClientAnswerDeadline: a server that accepts a request and never
// answers fails the call at the answer deadline even when its context has
// no deadline; one that answers slowly, within it, is waited for.
func TestClientAnswerDeadline(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		delay   time.Duration // before the server answers; -1 never
		timeout time.Duration
		wantErr bool
	}{
		{name: "never answers", delay: -1, timeout: 200 * time.Millisecond, wantErr: true},
		{name: "answers slowly, within the deadline", delay: 300 * time.Millisecond, timeout: 5 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := fakeapi.Start(t)
			s.AcceptToken("token", "admin")
			release := make(chan struct{})
			t.Cleanup(func() { close(release) })
			s.Intercept = func(_ http.ResponseWriter, r *http.Request) bool {
				switch {
				case tt.delay < 0:
					select {
					case <-release:
					case <-r.Context().Done():
					}
					return true
				default:
					time.Sleep(tt.delay)
					return false
				}
			}
			client, err := NewFromFile(s.Kubeconfig(t, t.TempDir(), &clientcmdapi.AuthInfo{Token: "token"}), "", tt.timeout)
			if err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() {
				_, err := client.CoreV1().ConfigMaps("kube-system").List(context.Background(), metav1.ListOptions{})
				done <- err
			}()
			select {
			case err = <-done:
			case <-time.After(time.Minute):
				t.Fatal("the call is still waiting after a minute")
			}
			var noAnswer *NoAnswerError
			switch {
			case tt.wantErr && !errors.As(err, &noAnswer):
				t.Fatalf("error %v, want NoAnswerError", err)
			case tt.wantErr && noAnswer.After != tt.timeout:
				t.Errorf("NoAnswerError after %s, want %s", noAnswer.After, tt.timeout)
			case !tt.wantErr && err != nil:
				t.Fatalf("slow answer: %v", err)
			}
		})
	}
}

func TestClientNeedsATimeout(t *testing.T) {
	t.Parallel()
	s := fakeapi.Start(t)
	if _, err := NewFromFile(s.Kubeconfig(t, t.TempDir(), &clientcmdapi.AuthInfo{Token: "t"}), "", 0); err == nil {
		t.Fatal("a client without a timeout was made")
	}
}
