package discovery

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	bootstrapapi "k8s.io/cluster-bootstrap/token/api"
	tokenjws "k8s.io/cluster-bootstrap/token/jws"

	"github.com/kadm-project/kadm/internal/progress"
)

// fetchSigned polls cluster-info over unverified TLS until it carries a valid signature for
// the token ID, and returns the signed kubeconfig text.
func (t *tokenDiscovery) fetchSigned(ctx context.Context) (string, error) {
	var signed string
	timedOut, err := retry(ctx, func() (bool, error) {
		cm, err := getClusterInfo(ctx, t.insecure, t.server)
		if err != nil {
			return t.fetchFailed(ctx, err)
		}
		t.unreachable = false
		kc, done, err := t.examine(ctx, cm)
		signed = kc
		return done, err
	})
	if timedOut {
		return "", t.timeoutError(ctx, err)
	}
	return signed, err
}

// fetchFailed records a failed request and says once per kind of failure why kadm waits.
func (t *tokenDiscovery) fetchFailed(ctx context.Context, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, err
	}
	if errors.Is(err, ErrMalformed) {
		return true, fmt.Errorf("%w: check that %q is this cluster's API server", err, t.server)
	}
	var se *statusError
	if errors.As(err, &se) {
		t.unreachable = false
		t.once(ctx, fmt.Sprintf("status %d", se.code), "[discovery] The API server at %q answered HTTP %d for cluster-info; retrying\n", t.server, se.code)
		return false, fmt.Errorf("read cluster-info: %w", err)
	}
	t.unreachable = true
	t.once(ctx, "unreachable", "[discovery] Unable to reach the API server at %q, retrying until %s: %v\n", t.server, t.o.Timeout, err)
	return false, fmt.Errorf("read cluster-info: %w", err)
}

// examine decides what a fetched cluster-info means for this token.
func (t *tokenDiscovery) examine(ctx context.Context, cm *corev1.ConfigMap) (string, bool, error) {
	kc := cm.Data[bootstrapapi.KubeConfigKey]
	if kc == "" {
		return "", true, fmt.Errorf("the %s ConfigMap at %q has no %q key: this API server is not set up for token discovery",
			bootstrapapi.ConfigMapClusterInfo, t.server, bootstrapapi.KubeConfigKey)
	}
	var roots []*x509.Certificate
	if len(t.pins) > 0 {
		// A wrong pin is final whatever the signatures say, so it fails on the first read.
		cluster, err := parseClusterInfo(kc)
		if err != nil {
			return "", true, err
		}
		if roots, err = t.trustPinned(ctx, cluster.CertificateAuthorityData, false); err != nil {
			return "", true, err
		}
	}
	if sig, ok := cm.Data[bootstrapapi.JWSSignatureKeyPrefix+t.id]; ok {
		if !tokenjws.DetachedTokenIsValid(sig, kc, t.id, t.secret) {
			return "", true, fmt.Errorf("the signature of cluster-info for token ID %q does not verify: the token secret is wrong, or this is not the cluster it claims to be", t.id)
		}
		return kc, true, nil
	}
	if !hasSignatures(cm) {
		t.once(ctx, "unsigned", "[discovery] cluster-info carries no signatures yet; waiting for the token signer\n")
		return "", false, errors.New("cluster-info has no signatures yet (is kube-controller-manager running with the bootstrapsigner controller?)")
	}
	if len(t.pins) > 0 && !t.tokenKnown {
		if done, err := t.probeToken(ctx, roots); done {
			return "", true, err
		}
	}
	if t.tokenKnown {
		// The signer lags behind a token the authenticator already accepts: worth the wait.
		return "", false, fmt.Errorf("cluster-info is not signed for token ID %q yet", t.id)
	}
	if t.missingSince.IsZero() {
		t.missingSince = time.Now()
		progress.Printf(ctx, "[discovery] cluster-info has no signature for token ID %q; waiting up to %s for it to appear\n", t.id, t.o.UnknownTokenGrace)
	}
	if time.Since(t.missingSince) >= t.o.UnknownTokenGrace {
		return "", true, t.unknownToken()
	}
	return "", false, fmt.Errorf("cluster-info has no signature for token ID %q", t.id)
}

func (t *tokenDiscovery) unknownToken() error {
	return fmt.Errorf("token ID %q: %w (expired, deleted or mistyped?): create a new one on a control-plane node with `%s token create --print-join-command`",
		t.id, ErrUnknownToken, t.o.Program)
}

func (t *tokenDiscovery) timeoutError(ctx context.Context, last error) error {
	if errors.Is(context.Cause(ctx), context.Canceled) {
		return fmt.Errorf("discovery canceled: %w", ctx.Err())
	}
	if t.unreachable {
		return fmt.Errorf("%w: %q did not answer within %s: %v", ErrUnreachable, t.server, t.o.Timeout, last)
	}
	return fmt.Errorf("token discovery at %q did not complete within %s: %w", t.server, t.o.Timeout, last)
}

func (t *tokenDiscovery) once(ctx context.Context, key, format string, args ...any) {
	if !t.reported[key] {
		t.reported[key] = true
		progress.Printf(ctx, format, args...)
	}
}

func hasSignatures(cm *corev1.ConfigMap) bool {
	for k := range cm.Data {
		if strings.HasPrefix(k, bootstrapapi.JWSSignatureKeyPrefix) {
			return true
		}
	}
	return false
}
