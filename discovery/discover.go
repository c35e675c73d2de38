package discovery

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/internal/httplog"
)

// Discover returns the bootstrap kubeconfig a join uses: the cluster (server + CA data) with
// the TLS bootstrap token as credentials, or, for file/HTTPS discovery, the file's
// credentials when it has any. It never returns or reports the token secret in an error.
func Discover(ctx context.Context, cfg *config.JoinConfiguration, o Options) (*clientcmdapi.Config, error) {
	if cfg == nil {
		return nil, errors.New("discovery needs a JoinConfiguration")
	}
	o = o.withDefaults(cfg)
	d := &cfg.Discovery
	switch {
	case d.BootstrapToken != nil && d.File != nil:
		return nil, errors.New("both token and file discovery are configured: use either --token/--discovery-token or --discovery-file")
	case d.File != nil:
		return discoverFromFileOrURL(ctx, d, o)
	case d.BootstrapToken != nil:
		return discoverToken(ctx, d, o)
	default:
		return nil, errors.New("no discovery configured: pass --token with --discovery-token-ca-cert-hash, or --discovery-file")
	}
}

func discoverFromFileOrURL(ctx context.Context, d *config.Discovery, o Options) (*clientcmdapi.Config, error) {
	loc := d.File.KubeConfigPath
	if loc == "" {
		return nil, errors.New("discovery.file.kubeConfigPath is empty: pass --discovery-file with a path or an https:// URL")
	}
	if !strings.Contains(loc, "://") {
		return discoverFile(ctx, loc, d.TLSBootstrapToken, o)
	}
	u, err := url.Parse(loc)
	if err != nil {
		return nil, fmt.Errorf("--discovery-file is not a valid URL: %w", err)
	}
	if !strings.EqualFold(u.Scheme, "https") || u.Host == "" {
		return nil, fmt.Errorf("--discovery-file %q: only https:// URLs are allowed, so that the download is authenticated", httplog.Redact(u))
	}
	u.Scheme = "https"
	return discoverHTTPS(ctx, u, d.TLSBootstrapToken, o)
}
