package discovery

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/kadm-project/kadm/internal/httplog"
	"github.com/kadm-project/kadm/internal/progress"
)

// discoverHTTPS downloads the discovery kubeconfig. Its trust comes from the web PKI (or
// RootCAs), so plain http and redirects away from https are refused.
func discoverHTTPS(ctx context.Context, u *url.URL, tlsToken string, o Options) (*clientcmdapi.Config, error) {
	shown := httplog.Redact(u)
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	progress.Printf(ctx, "[discovery] Downloading the discovery kubeconfig from %q\n", shown)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("build the request for %q: %w", shown, err)
	}
	resp, err := httpsClient(o).Do(req)
	if err != nil {
		return nil, fmt.Errorf("download the discovery kubeconfig from %q: %w", shown, scrubURL(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("download the discovery kubeconfig from %q: HTTP %d %s", shown, resp.StatusCode, http.StatusText(resp.StatusCode))
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxDiscoveryBody+1))
	if err != nil {
		return nil, fmt.Errorf("download the discovery kubeconfig from %q: %w", shown, scrubURL(err))
	}
	if len(data) > maxDiscoveryBody {
		return nil, fmt.Errorf("%w: the discovery kubeconfig at %q is larger than %d bytes: refusing it", ErrMalformed, shown, maxDiscoveryBody)
	}
	out, err := parseDiscoveryKubeconfig(ctx, data, "", tlsToken, o)
	if err != nil {
		return nil, fmt.Errorf("discovery kubeconfig from %q: %w", shown, err)
	}
	return out, nil
}

func httpsClient(o Options) *http.Client {
	var c http.Client
	if o.HTTPClient != nil {
		c = *o.HTTPClient
	} else {
		c.Transport = &http.Transport{
			Proxy:             http.ProxyFromEnvironment,
			TLSClientConfig:   &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: o.RootCAs},
			ForceAttemptHTTP2: true,
		}
	}
	c.Transport = httplog.Wrap(c.Transport)
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if req.URL.Scheme != "https" {
			return fmt.Errorf("redirect to %q refused: discovery is HTTPS only", httplog.Redact(req.URL))
		}
		if len(via) >= 5 {
			return errors.New("too many redirects")
		}
		return nil
	}
	return &c
}

// scrubURL drops the URL net/http puts in its errors, which would show the query.
func scrubURL(err error) error {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		return uerr.Err
	}
	return err
}
