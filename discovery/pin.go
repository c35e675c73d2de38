package discovery

import (
	"crypto/x509"
	"fmt"
	"strings"

	certutil "k8s.io/client-go/util/cert"

	"github.com/kadm-project/kadm/pkiutil"
)

// parsePins turns the validated CA pins of the configuration into the set
// that pinnedCAs matches, in PublicKeyPin's form.
func parsePins(hashes []string) (map[string]bool, error) {
	pins := make(map[string]bool, len(hashes))
	for _, h := range hashes {
		pin, err := pkiutil.ParsePin(h)
		if err != nil {
			return nil, fmt.Errorf("CA certificate hash %q: %w", h, err)
		}
		pins[pin] = true
	}
	return pins, nil
}

// pinnedCAs splits the CA bundle of cluster-info into the certificates whose keys are pinned
// and the others. Only the pinned ones are trusted afterwards: kubeadm accepts a bundle when
// any key matches and then trusts all of it, which lets an extra certificate ride along.
func pinnedCAs(caPEM []byte, pins map[string]bool) (kept, dropped []*x509.Certificate, err error) {
	certs, err := certutil.ParseCertsPEM(caPEM)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: the CA bundle in cluster-info does not parse: %v", ErrMalformed, err)
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
