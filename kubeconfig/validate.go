package kubeconfig

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"slices"
	"time"

	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	certutil "k8s.io/client-go/util/cert"

	"github.com/kadm-project/kadm/pkiutil"
)

// Want is what an existing kubeconfig must agree with to be kept.
type Want struct {
	// Server is the API server URL the file should name.
	Server string
	// CAs are the certificates of the cluster CA as ca.crt holds them (the
	// CA first, then any chain). The file must trust one of them and its
	// client certificate must chain to one of them.
	CAs []*x509.Certificate
	// Now is when the client certificate must be valid; zero means now.
	Now time.Time
}

// Reasons Validate rejects a file; callers branch on them with errors.Is.
var (
	// ErrWrongCA means the file trusts another CA: it was made for another
	// cluster, or before the CA was replaced.
	ErrWrongCA = errors.New("it trusts a different certificate authority than the cluster CA")
	// ErrBadClientCert means the client certificate would be refused by the
	// API server: not signed by the cluster CA, expired, not yet valid, not
	// for client authentication, or not matching the client key.
	ErrBadClientCert = errors.New("its client certificate is not valid for this cluster")
)

// ServerMismatchError reports a file that is valid except for the API server
// it names. kubeadm keeps such files and only warns, because users point
// them at a load balancer or a DNS name on purpose (kubernetes/kubeadm#2271).
type ServerMismatchError struct {
	Want, Got string
}

func (e *ServerMismatchError) Error() string {
	return fmt.Sprintf("it names API server %s instead of %s", e.Got, e.Want)
}

// Validate checks cfg's current context against want: the structure, then
// the CA, then the client certificate (when the user authenticates with
// one), and the server last. So a *ServerMismatchError means that
// everything else is valid.
func Validate(cfg *clientcmdapi.Config, want Want) error {
	cluster, user, err := Current(cfg)
	if err != nil {
		return err
	}
	if err := checkCA(cluster, want.CAs); err != nil {
		return err
	}
	if user != nil {
		now := want.Now
		if now.IsZero() {
			now = time.Now()
		}
		if err := checkClientCert(user, want.CAs, now); err != nil {
			return err
		}
	}
	if cluster.Server != want.Server {
		return &ServerMismatchError{Want: want.Server, Got: cluster.Server}
	}
	return nil
}

// checkCA accepts the file when the first CA certificate it carries is one
// of want's, as kubeadm does: ca.crt may hold a chain, and a file made
// against any certificate of it is trusted by the same clients.
func checkCA(cluster *clientcmdapi.Cluster, want []*x509.Certificate) error {
	data, err := inlineOrFile(cluster.CertificateAuthorityData, cluster.CertificateAuthority)
	if err != nil {
		return fmt.Errorf("read its CA certificate: %w", err)
	}
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return fmt.Errorf("%w: it carries no CA certificate", ErrWrongCA)
	}
	certs, err := certutil.ParseCertsPEM(data)
	if err != nil {
		return fmt.Errorf("%w: its CA data is not a PEM certificate: %v", ErrWrongCA, err)
	}
	if !slices.ContainsFunc(want, certs[0].Equal) {
		// CAs are often all called "kubernetes": the key pins tell them apart.
		var wantPin string
		if len(want) > 0 {
			wantPin = pkiutil.PublicKeyPin(want[0])
		}
		return fmt.Errorf("%w (%q, key %s; the cluster CA's key is %s)",
			ErrWrongCA, certs[0].Subject.String(), pkiutil.PublicKeyPin(certs[0]), wantPin)
	}
	return nil
}

// checkClientCert verifies the client certificate the way the API server
// will, and that the key belongs to it. Users without a certificate (token,
// exec plugin) are left alone.
func checkClientCert(user *clientcmdapi.AuthInfo, cas []*x509.Certificate, now time.Time) error {
	certPEM, err := inlineOrFile(user.ClientCertificateData, user.ClientCertificate)
	if err != nil {
		return fmt.Errorf("read its client certificate: %w", err)
	}
	if len(certPEM) == 0 {
		return nil
	}
	certs, err := certutil.ParseCertsPEM(certPEM)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrBadClientCert, err)
	}
	roots := x509.NewCertPool()
	for _, c := range cas {
		roots.AddCert(c)
	}
	intermediates := x509.NewCertPool()
	for _, c := range certs[1:] {
		intermediates.AddCert(c)
	}
	_, err = certs[0].Verify(x509.VerifyOptions{
		Roots:         roots,
		Intermediates: intermediates,
		CurrentTime:   now,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	})
	if err != nil {
		return fmt.Errorf("%w (subject %q): %v", ErrBadClientCert, certs[0].Subject.String(), err)
	}
	keyPEM, err := inlineOrFile(user.ClientKeyData, user.ClientKey)
	if err != nil {
		return fmt.Errorf("read its client key: %w", err)
	}
	// The key's bytes never reach the error: tls reports only that parsing
	// or matching failed.
	if _, err := tls.X509KeyPair(certPEM, keyPEM); err != nil {
		return fmt.Errorf("%w: the client key does not belong to the certificate: %v", ErrBadClientCert, err)
	}
	return nil
}

// inlineOrFile returns embedded data, or else the contents of the referenced
// file, or else nothing.
func inlineOrFile(data []byte, path string) ([]byte, error) {
	if len(data) > 0 || path == "" {
		return data, nil
	}
	return os.ReadFile(path)
}
