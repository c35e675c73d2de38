package discovery

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	tokenutil "k8s.io/cluster-bootstrap/token/util"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/internal/progress"
)

// tokenDiscovery holds one run of token discovery: what it trusts so far and what it has
// already told the user, so each condition is reported once, not on every retry.
type tokenDiscovery struct {
	o        Options
	server   string
	id       string
	secret   string
	pins     map[string]bool
	insecure *http.Client

	reported     map[string]bool
	unreachable  bool
	missingSince time.Time
	tokenKnown   bool
}

func discoverToken(ctx context.Context, d *config.Discovery, o Options) (*clientcmdapi.Config, error) {
	bt := d.BootstrapToken
	id, secret, ok := splitToken(bt.Token)
	if !ok {
		return nil, errors.New("the discovery token does not have the form [a-z0-9]{6}.[a-z0-9]{16}: check --token or --discovery-token")
	}
	if bt.APIServerEndpoint == "" {
		return nil, errors.New("token discovery needs the API server endpoint: pass it as the join argument (host:port) or discovery.bootstrapToken.apiServerEndpoint")
	}
	if err := config.CheckCAPinning(bt); err != nil {
		return nil, fmt.Errorf("token discovery without a CA public key hash (%s token create --print-join-command prints it): %w", o.Program, err)
	}
	pins, err := parsePins(bt.CACertHashes)
	if err != nil {
		return nil, fmt.Errorf("check --discovery-token-ca-cert-hash: %w", err)
	}
	if len(pins) == 0 {
		progress.Printf(ctx, "[discovery] WARNING: --discovery-token-unsafe-skip-ca-verification: the cluster CA is not checked against a pinned hash; "+
			"anyone who knows the bootstrap token, or sits between this node and the API server, can impersonate the control plane\n")
	}
	t := &tokenDiscovery{
		o: o, server: serverURL(bt.APIServerEndpoint), id: id, secret: secret, pins: pins,
		insecure: newClient(nil, true), reported: map[string]bool{},
	}
	tlsToken := d.TLSBootstrapToken
	if tlsToken == "" {
		tlsToken = bt.Token
	}
	defer t.insecure.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	return t.run(ctx, tlsToken)
}

func (t *tokenDiscovery) run(ctx context.Context, tlsToken string) (*clientcmdapi.Config, error) {
	progress.Printf(ctx, "[discovery] Requesting cluster-info from %q\n", t.server)
	signed, err := t.fetchSigned(ctx)
	if err != nil {
		return nil, err
	}
	cluster, err := parseClusterInfo(signed)
	if err != nil {
		return nil, err
	}
	if err := requireHTTPS(cluster.Server); err != nil {
		return nil, fmt.Errorf("the cluster in cluster-info: %w", err)
	}
	caPEM := cluster.CertificateAuthorityData
	if len(t.pins) > 0 {
		kept, err := t.trustPinned(ctx, caPEM, true)
		if err != nil {
			return nil, err
		}
		if err := t.refetchVerified(ctx, kept, signed); err != nil {
			return nil, err
		}
		caPEM = encodeCerts(kept)
		progress.Printf(ctx, "[discovery] Cluster info signature and contents are valid and TLS certificate validates against pinned roots, will use API Server %q\n", cluster.Server)
	} else {
		progress.Printf(ctx, "[discovery] Cluster info signature and contents are valid and no TLS pinning was specified, will use API Server %q\n", cluster.Server)
	}
	return tokenKubeconfig(cluster.Server, caPEM, tlsToken), nil
}

// parseClusterInfo reads the kubeconfig cluster-info carries and its one cluster.
func parseClusterInfo(kc string) (*clientcmdapi.Cluster, error) {
	cfg, err := clientcmd.Load([]byte(kc))
	if err != nil {
		return nil, fmt.Errorf("%w: the kubeconfig in cluster-info does not parse: %v", ErrMalformed, err)
	}
	_, cluster, err := singleCluster(cfg)
	if err != nil {
		return nil, fmt.Errorf("the kubeconfig in cluster-info: %w", err)
	}
	return cluster, nil
}

// splitToken parses "id.secret" without ever putting the secret in an error.
func splitToken(token string) (id, secret string, ok bool) {
	if !tokenutil.IsValidBootstrapToken(token) {
		return "", "", false
	}
	id, secret, _ = strings.Cut(token, ".")
	return id, secret, true
}

func poolOf(certs []*x509.Certificate) *x509.CertPool {
	p := x509.NewCertPool()
	for _, c := range certs {
		p.AddCert(c)
	}
	return p
}
