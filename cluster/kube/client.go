package kube

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/kadm-project/kadm/internal/httplog"
)

// New is how kadm makes every API client: one for cfg's current context. Its requests are logged by httplog at -v=6 and above (never by
// client-go, whose dumps print bodies and so Secrets), and each waits at
// most answerTimeout for the server's answer to begin: a server that
// completes TLS and then never answers cannot hold a call forever, even one
// whose context has no deadline. Watches, whose answers begin at once and
// then stream, are not cut.
func New(cfg *clientcmdapi.Config, answerTimeout time.Duration) (Interface, error) {
	rc, err := clientcmd.NewDefaultClientConfig(*cfg, &clientcmd.ConfigOverrides{}).ClientConfig()
	if err != nil {
		return nil, err
	}
	return newClient(rc, answerTimeout)
}

// NewFromFile is New for the kubeconfig at path; with a server, the client
// talks to it instead of the server the file names (init talks to its own
// node's API server while a load balancer may not answer yet).
func NewFromFile(path, server string, answerTimeout time.Duration) (Interface, error) {
	rules := &clientcmd.ClientConfigLoadingRules{ExplicitPath: path}
	overrides := &clientcmd.ConfigOverrides{ClusterInfo: clientcmdapi.Cluster{Server: server}}
	rc, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, overrides).ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", path, err)
	}
	return newClient(rc, answerTimeout)
}

func newClient(rc *rest.Config, answerTimeout time.Duration) (Interface, error) {
	if answerTimeout <= 0 {
		return nil, errors.New("an API client needs a timeout for the server's answers")
	}
	rc.Wrap(func(rt http.RoundTripper) http.RoundTripper {
		return httplog.Wrap(&answerDeadline{next: rt, timeout: answerTimeout})
	})
	return newForConfig(rc)
}

// NoAnswerError is why a request was given up: the server took it and did
// not begin to answer in time. It is a timeout (net.Error), which callers
// that retry treat as worth another attempt.
type NoAnswerError struct{ After time.Duration }

func (e *NoAnswerError) Error() string {
	return fmt.Sprintf("the API server accepted the request but did not answer within %s", e.After)
}
func (e *NoAnswerError) Timeout() bool   { return true }
func (e *NoAnswerError) Temporary() bool { return true }

// answerDeadline cancels a request whose response has not begun within
// timeout. Once it has, the body may take as long as the caller allows.
type answerDeadline struct {
	next    http.RoundTripper
	timeout time.Duration
}

func (a *answerDeadline) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithCancelCause(req.Context())
	noAnswer := &NoAnswerError{After: a.timeout}
	timer := time.AfterFunc(a.timeout, func() { cancel(noAnswer) })
	resp, err := a.next.RoundTrip(req.WithContext(ctx))
	if !timer.Stop() {
		// The deadline passed, whatever came back meanwhile.
		if err == nil {
			resp.Body.Close()
		}
		return nil, noAnswer
	}
	if err != nil {
		cancel(nil)
		return nil, err
	}
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: func() { cancel(nil) }}
	return resp, nil
}

// WrappedRoundTripper lets client-go reach the transport below.
func (a *answerDeadline) WrappedRoundTripper() http.RoundTripper { return a.next }

// cancelOnClose releases the request's context with its body.
type cancelOnClose struct {
	io.ReadCloser
	cancel func()
}

func (c *cancelOnClose) Close() error {
	defer c.cancel()
	return c.ReadCloser.Close()
}
