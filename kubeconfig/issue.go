package kubeconfig

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"

	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/kadm-project/kadm/pkiutil"
)

// Build makes f's kubeconfig with a new private key and a client certificate
// for it signed by ca, both embedded. The key comes from keys, which init
// warms ahead of time; a nil pool generates it on the spot.
func (f ClientFile) Build(ctx context.Context, ca CA, keys *pkiutil.KeyPool) (*clientcmdapi.Config, error) {
	if len(ca.Certs) == 0 || ca.Key == nil {
		return nil, errors.New("the cluster CA key is not available, so no client certificate can be signed")
	}
	key, err := keys.Get(ctx, f.Algorithm)
	if err != nil {
		return nil, fmt.Errorf("generate the %s key for %s: %w", f.Algorithm, f.Name, err)
	}
	cert, err := pkiutil.NewSignedCert(pkiutil.CertConfig{
		CommonName:          f.User,
		Organization:        f.Groups,
		Usages:              []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		Validity:            f.Validity,
		EncryptionAlgorithm: f.Algorithm,
	}, key, ca.Certs[0], ca.Key)
	if err != nil {
		return nil, fmt.Errorf("sign the client certificate of %s for %q: %w", f.Name, f.User, err)
	}
	keyPEM, err := pkiutil.EncodePrivateKeyPEM(key)
	if err != nil {
		return nil, fmt.Errorf("encode the client key of %s: %w", f.Name, err)
	}
	return WithClientCert(f.Server, f.ClusterName, f.User,
		pkiutil.EncodeCertPEM(ca.Certs[0]), pkiutil.EncodeCertPEM(cert), keyPEM), nil
}
