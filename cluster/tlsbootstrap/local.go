package tlsbootstrap

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"time"

	"k8s.io/client-go/tools/clientcmd"
)

// CertificateCheck tells, without a request to the API server, whether the
// kubeconfig at path holds what a finished TLS bootstrap leaves: a client
// certificate that matches its key, is valid now for client auth and chains
// to the CA the kubeconfig trusts. It returns the certificate's user (its
// common name). Waiting this way keeps a join's API requests at kubeadm's.
func CertificateCheck(_ context.Context, path string) (string, error) {
	cfg, err := clientcmd.BuildConfigFromFlags("", path)
	if err != nil {
		return "", err
	}
	tc := cfg.TLSClientConfig
	certPEM, err := dataOrFile(tc.CertData, tc.CertFile)
	if err != nil {
		return "", fmt.Errorf("%s: client certificate: %w", path, err)
	}
	keyPEM, err := dataOrFile(tc.KeyData, tc.KeyFile)
	if err != nil {
		return "", fmt.Errorf("%s: client key: %w", path, err)
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return "", fmt.Errorf("%s: client certificate and key: %w", path, err)
	}
	caPEM, err := dataOrFile(tc.CAData, tc.CAFile)
	if err != nil {
		return "", fmt.Errorf("%s: certificate authority: %w", path, err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(caPEM) {
		return "", fmt.Errorf("%s: no certificate authority in PEM form", path)
	}
	leaf := pair.Leaf
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: roots, CurrentTime: time.Now(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
		return "", fmt.Errorf("%s: client certificate: %w", path, err)
	}
	return leaf.Subject.CommonName, nil
}

func dataOrFile(data []byte, file string) ([]byte, error) {
	if len(data) > 0 {
		return data, nil
	}
	if file == "" {
		return nil, errors.New("none given")
	}
	return os.ReadFile(file)
}
