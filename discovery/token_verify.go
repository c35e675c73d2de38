package discovery

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"

	bootstrapapi "k8s.io/cluster-bootstrap/token/api"

	"github.com/kadm-project/kadm/internal/progress"
	"github.com/kadm-project/kadm/pkiutil"
)

// probeToken asks the API server, over TLS verified against the pinned CA, whether it
// accepts the token, so an unknown token fails in a second rather than after the grace.
// roots are the cluster-info CAs that already passed the pin check: the token secret is
// never sent to a server that has not proved it holds a pinned CA's certificate.
func (t *tokenDiscovery) probeToken(ctx context.Context, roots []*x509.Certificate) (bool, error) {
	c := newClient(poolOf(roots), false)
	defer c.CloseIdleConnections()
	verdict, err := reviewToken(ctx, c, t.server, t.id+"."+t.secret)
	switch {
	case err != nil && isTrustFailure(err):
		return true, t.untrusted(err)
	case verdict == tokenRejected:
		return true, t.unknownToken()
	case verdict == tokenKnown:
		t.tokenKnown = true
		progress.Printf(ctx, "[discovery] The API server accepts token ID %q; waiting for cluster-info to be signed for it\n", t.id)
	}
	return false, nil
}

// trustPinned keeps the CA certificates whose keys are pinned and, when warn is set,
// warns about the others.
func (t *tokenDiscovery) trustPinned(ctx context.Context, caPEM []byte, warn bool) ([]*x509.Certificate, error) {
	kept, dropped, err := pinnedCAs(caPEM, t.pins)
	if errors.Is(err, ErrCAHashMismatch) {
		return nil, fmt.Errorf("%w: if the pin is right, someone may be impersonating the API server", err)
	}
	if err != nil {
		return nil, err
	}
	if warn {
		for _, c := range dropped {
			progress.Printf(ctx, "[discovery] WARNING: cluster-info's CA bundle holds a certificate that matches no pinned hash (subject %q, %s); it is not trusted\n",
				c.Subject.String(), pkiutil.PublicKeyPin(c))
		}
	}
	return kept, nil
}

// refetchVerified reads cluster-info again over TLS verified by the pinned CA and requires
// the same kubeconfig: the first read proved who signed it, this one proves who serves it.
func (t *tokenDiscovery) refetchVerified(ctx context.Context, roots []*x509.Certificate, first string) error {
	progress.Printf(ctx, "[discovery] Requesting cluster-info from %q again to validate TLS against the pinned public key\n", t.server)
	secure := newClient(poolOf(roots), false)
	defer secure.CloseIdleConnections()
	var second string
	timedOut, err := retry(ctx, func() (bool, error) {
		cm, err := getClusterInfo(ctx, secure, t.server)
		if err != nil {
			if isTrustFailure(err) {
				return true, t.untrusted(err)
			}
			return t.fetchFailed(ctx, err)
		}
		second = cm.Data[bootstrapapi.KubeConfigKey]
		return true, nil
	})
	if timedOut {
		return t.timeoutError(ctx, err)
	}
	if err != nil {
		return err
	}
	if second != first {
		return errors.New("cluster-info changed between the unverified and the pinned TLS read: refusing to trust it; retry the join, and if it persists check for a proxy or impersonator in front of the API server")
	}
	return nil
}

func (t *tokenDiscovery) untrusted(err error) error {
	return fmt.Errorf("the API server at %q does not present a certificate signed by the pinned CA: %w", t.server, err)
}
