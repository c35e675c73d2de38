package discovery

import (
	"crypto/x509"
	"errors"
	"net/http"
	"time"

	"github.com/kadm-project/kadm/config"
)

// Defaults for the Options fields left at zero.
const (
	DefaultUnknownTokenGrace = 5 * time.Second
	DefaultProgram           = "kadm"
	// TokenUser names the credentials of the bootstrap kubeconfig, as kubeadm does, so
	// files written from it look the same as kubeadm's.
	TokenUser = "tls-bootstrap-token-user"
	// maxDiscoveryBody bounds what an HTTPS discovery server may make kadm read.
	maxDiscoveryBody = 1 << 20
)

// Errors callers branch on; Discover wraps them with the details.
var (
	// ErrUnknownToken means the cluster does not know the bootstrap token (expired, deleted or
	// mistyped): retrying cannot help, a new token is needed.
	ErrUnknownToken = errors.New("bootstrap token unknown to the cluster")
	// ErrCAHashMismatch means the CA the server presents is not one of the pinned keys: either
	// the pin is wrong or someone is in the middle.
	ErrCAHashMismatch = errors.New("cluster CA does not match any pinned public key hash")
	// ErrUnreachable means the API server never answered before the discovery timeout.
	ErrUnreachable = errors.New("API server unreachable")
	// ErrMalformed means the API server answered with discovery data kadm cannot read:
	// too large, not a ConfigMap, or a kubeconfig or CA bundle that does not parse.
	// Retrying would read the same, so discovery fails at once.
	ErrMalformed = errors.New("malformed discovery data")
	// ErrCredentials means a downloaded discovery kubeconfig carries credentials that
	// run a program or read a file of this node (exec, auth-provider, tokenFile,
	// client-certificate/client-key files): what comes from the network is data.
	ErrCredentials = errors.New("credentials a downloaded kubeconfig may not carry")
)

// Options tunes discovery; zero values give the defaults.
type Options struct {
	// Timeout bounds the whole discovery (timeouts.discovery, default 5m).
	Timeout time.Duration
	// UnknownTokenGrace is how long a token absent from cluster-info's signatures may take to
	// appear before discovery gives up on it (default 5s): the signer needs a moment to sign a
	// freshly created token, but an expired one should not cost the user the whole timeout.
	UnknownTokenGrace time.Duration
	// RootCAs verifies HTTPS discovery servers; nil means the host's bundle.
	RootCAs *x509.CertPool
	// HTTPClient replaces the client HTTPS discovery uses (tests); token discovery always
	// builds its own transports because it controls TLS verification itself.
	HTTPClient *http.Client
	// Program is the name kadm was invoked as, used in the commands errors suggest
	// (default "kadm").
	Program string
}

func (o Options) withDefaults(cfg *config.JoinConfiguration) Options {
	if o.Timeout <= 0 {
		o.Timeout = config.DefaultDiscoveryTimeout
		if cfg.Timeouts != nil && cfg.Timeouts.Discovery != nil && cfg.Timeouts.Discovery.Duration > 0 {
			o.Timeout = cfg.Timeouts.Discovery.Duration
		}
	}
	if o.UnknownTokenGrace <= 0 {
		o.UnknownTokenGrace = DefaultUnknownTokenGrace
	}
	if o.Program == "" {
		o.Program = DefaultProgram
	}
	return o
}
