package kubeconfig

import (
	"crypto/x509"
	"testing"
	"time"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/pkiutil"
)

// newTestCA makes a throw-away cluster CA; ECDSA keeps the tests fast.
func newTestCA(t *testing.T, name string) CA {
	t.Helper()
	key, err := pkiutil.NewPrivateKey(config.EncryptionAlgorithmECDSAP256)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := pkiutil.NewSelfSignedCA(pkiutil.CertConfig{CommonName: name, EncryptionAlgorithm: config.EncryptionAlgorithmECDSAP256}, key)
	if err != nil {
		t.Fatal(err)
	}
	return CA{Certs: []*x509.Certificate{cert}, Key: key}
}

// clientPEM returns a client certificate and its key signed by ca.
func clientPEM(t *testing.T, ca CA, cn string, usage x509.ExtKeyUsage) (certPEM, keyPEM []byte) {
	t.Helper()
	key, err := pkiutil.NewPrivateKey(config.EncryptionAlgorithmECDSAP256)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := pkiutil.NewSignedCert(pkiutil.CertConfig{CommonName: cn, Usages: []x509.ExtKeyUsage{usage}, Validity: time.Hour}, key, ca.Certs[0], ca.Key)
	if err != nil {
		t.Fatal(err)
	}
	keyPEM, err = pkiutil.EncodePrivateKeyPEM(key)
	if err != nil {
		t.Fatal(err)
	}
	return pkiutil.EncodeCertPEM(cert), keyPEM
}

func writeCA(dir string, ca CA) error {
	if err := pkiutil.WriteCert(dir, "ca", ca.Certs[0]); err != nil {
		return err
	}
	return pkiutil.WriteKey(dir, "ca", ca.Key)
}
