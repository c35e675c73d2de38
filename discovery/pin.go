package discovery

import (
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"strings"

	certutil "k8s.io/client-go/util/cert"

	"github.com/kadm-project/kadm/pkiutil"
)

// parsePins checks every --discovery-token-ca-cert-hash before any connection is made, so a
// typo fails at once instead of after a round trip, and returns them normalised.
func parsePins(hashes []string) (map[string]bool, error) {
	pins := make(map[string]bool, len(hashes))
	for _, h := range hashes {
		alg, value, ok := strings.Cut(h, ":")
		if !ok || !strings.EqualFold(alg, "sha256") {
			return nil, fmt.Errorf("CA certificate hash %q: want the form sha256:<64 hex digits>", h)
		}
		raw, err := hex.DecodeString(value)
		if err != nil || len(raw) != 32 {
			return nil, fmt.Errorf("CA certificate hash %q: want sha256: followed by 64 hex digits", h)
		}
		pins["sha256:"+hex.EncodeToString(raw)] = true
	}
	return pins, nil
}

// pinnedCAs splits the CA bundle of cluster-info into the certificates whose keys are pinned
// and the others. Only the pinned ones are trusted afterwards: kubeadm accepts a bundle when
// any key matches and then trusts all of it, which lets an extra certificate ride along.
func pinnedCAs(caPEM []byte, pins map[string]bool) (kept, dropped []*x509.Certificate, err error) {
	certs, err := certutil.ParseCertsPEM(caPEM)
	if err != nil {
		return nil, nil, fmt.Errorf("parse the CA bundle in cluster-info: %w", err)
	}
	for _, c := range certs {
		if pins[pkiutil.PublicKeyPin(c)] {
			kept = append(kept, c)
		} else {
			dropped = append(dropped, c)
		}
	}
	if len(kept) == 0 {
		actual := make([]string, 0, len(certs))
		for _, c := range certs {
			actual = append(actual, pkiutil.PublicKeyPin(c))
		}
		return nil, nil, fmt.Errorf("%w: the server's CA has %s", ErrCAHashMismatch, strings.Join(actual, ", "))
	}
	return kept, dropped, nil
}

// encodeCerts turns the trusted certificates back into the PEM bundle the kubeconfig carries.
func encodeCerts(certs []*x509.Certificate) []byte {
	var out []byte
	for _, c := range certs {
		out = append(out, pkiutil.EncodeCertPEM(c)...)
	}
	return out
}
