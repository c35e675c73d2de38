package discovery

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	bootstrapapi "k8s.io/cluster-bootstrap/token/api"

	"github.com/kadm-project/kadm/internal/httplog"
)

// attemptTimeout bounds one request, so that a server that accepts connections but never
// answers still leaves time for retries within the discovery timeout.
const attemptTimeout = 10 * time.Second

const (
	clusterInfoPath = "/api/v1/namespaces/" + metav1.NamespacePublic + "/configmaps/" + bootstrapapi.ConfigMapClusterInfo
	selfReviewPath  = "/apis/authentication.k8s.io/v1/selfsubjectreviews"
)

// statusError is an answer from the API server other than the one asked for.
type statusError struct {
	code int
	url  string
}

func (e *statusError) Error() string {
	return fmt.Sprintf("GET %s: HTTP %d %s", e.url, e.code, http.StatusText(e.code))
}

// newClient makes a client for one trust decision: skipVerify only for the very first,
// anonymous fetch of cluster-info, otherwise verified against roots.
func newClient(roots *x509.CertPool, skipVerify bool) *http.Client {
	return &http.Client{
		Transport: httplog.Wrap(&http.Transport{
			Proxy: http.ProxyFromEnvironment,
			TLSClientConfig: &tls.Config{
				MinVersion:         tls.VersionTLS12,
				RootCAs:            roots,
				InsecureSkipVerify: skipVerify, //nolint:gosec // only for the signed, later re-verified first fetch
			},
			TLSHandshakeTimeout: attemptTimeout,
			IdleConnTimeout:     30 * time.Second,
			ForceAttemptHTTP2:   true,
		}),
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// getClusterInfo reads kube-public/cluster-info anonymously.
func getClusterInfo(ctx context.Context, c *http.Client, server string) (*corev1.ConfigMap, error) {
	ctx, cancel := context.WithTimeout(ctx, attemptTimeout)
	defer cancel()
	url := server + clusterInfoPath
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("build request for %s: %w", url, err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, &statusError{code: resp.StatusCode, url: url}
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxDiscoveryBody+1))
	if err != nil {
		return nil, err
	}
	return decodeClusterInfo(data, url)
}

// decodeClusterInfo reads the answer to GET url, which must be a ConfigMap of at most
// maxDiscoveryBody bytes; anything else is ErrMalformed.
func decodeClusterInfo(data []byte, url string) (*corev1.ConfigMap, error) {
	if len(data) > maxDiscoveryBody {
		return nil, fmt.Errorf("%w: the answer to GET %s is larger than %d bytes, far more than a %s ConfigMap holds", ErrMalformed, url, maxDiscoveryBody, bootstrapapi.ConfigMapClusterInfo)
	}
	var cm corev1.ConfigMap
	if err := json.Unmarshal(data, &cm); err != nil {
		return nil, fmt.Errorf("%w: the answer to GET %s is not a %s ConfigMap: %v", ErrMalformed, url, bootstrapapi.ConfigMapClusterInfo, err)
	}
	return &cm, nil
}

// tokenVerdict is what the API server's authenticator said about the bootstrap token.
type tokenVerdict int

const (
	tokenUndecided tokenVerdict = iota
	tokenKnown
	tokenRejected
)

// reviewToken presents the token in a SelfSubjectReview. Only an authenticated connection
// to the pinned CA may carry it: anyone else could collect the secret. A 401 proves the
// authenticator does not accept the token; any authenticated answer (201, or 403 when RBAC
// forbids the review) proves it does.
func reviewToken(ctx context.Context, c *http.Client, server, token string) (tokenVerdict, error) {
	ctx, cancel := context.WithTimeout(ctx, attemptTimeout)
	defer cancel()
	body := []byte(`{"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"}`)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, server+selfReviewPath, bytes.NewReader(body))
	if err != nil {
		return tokenUndecided, fmt.Errorf("build the SelfSubjectReview request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := c.Do(req)
	if err != nil {
		return tokenUndecided, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxDiscoveryBody))
	switch {
	case resp.StatusCode == http.StatusUnauthorized:
		return tokenRejected, nil
	case resp.StatusCode < 300 || resp.StatusCode == http.StatusForbidden:
		return tokenKnown, nil
	default:
		return tokenUndecided, &statusError{code: resp.StatusCode, url: server + selfReviewPath}
	}
}

// isTrustFailure tells a certificate the client refused from a network problem: retrying
// will not make an untrusted server trusted.
func isTrustFailure(err error) bool {
	var verr *tls.CertificateVerificationError
	var uerr x509.UnknownAuthorityError
	var herr x509.HostnameError
	return errors.As(err, &verr) || errors.As(err, &uerr) || errors.As(err, &herr)
}

// serverURL turns an apiServerEndpoint ("host:port", or already a URL) into a base URL.
func serverURL(endpoint string) string {
	if strings.HasPrefix(endpoint, "https://") {
		return strings.TrimSuffix(endpoint, "/")
	}
	return "https://" + endpoint
}
