//go:build e2e

package e2e

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kadm-project/kadm/test/e2e/framework"
)

// hostCABundle is the CA bundle Go and most tools read on Debian and
// Ubuntu; HTTPS discovery verifies its server with it.
const hostCABundle = "/etc/ssl/certs/ca-certificates.crt"

// discoveryServer is an HTTPS server on the test machine that serves a
// discovery file to one host, with a certificate from a CA of its own.
type discoveryServer struct {
	// URL is the discovery file's address as the host reaches it.
	URL string
	// Requests counts the requests for the file.
	Requests atomic.Int64
}

// serveDiscoveryFile serves body over HTTPS on the address through which h
// reaches the test machine, and makes h trust the server's CA the way an
// operator would: it installs the CA into h's CA bundle (a private copy of
// the machine's bundle with the CA appended, bind-mounted in h's mount
// namespace only). The server stops when the test ends.
func serveDiscoveryFile(t *testing.T, h *framework.Host, body []byte) *discoveryServer {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "kadm-e2e discovery CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "kadm-e2e discovery server"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses: []net.IP{net.IP(suite.lab.MachineIP().AsSlice())},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}

	system, err := os.ReadFile(hostCABundle)
	if err != nil {
		t.Fatalf("the machine's CA bundle: %v", err)
	}
	bundle := h.Dir + "/ca-certificates.crt"
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
	writeFile(t, bundle, string(append(append(system, '\n'), caPEM...)))
	if _, err := h.Run(t.Context(), "mount", "--bind", bundle, hostCABundle); err != nil {
		t.Fatalf("install the discovery CA in %s's bundle: %v", h.Name, err)
	}

	s := &discoveryServer{}
	ln, err := net.Listen("tcp", net.JoinHostPort(suite.lab.MachineIP().String(), "0"))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/cluster-info.yaml" {
			http.NotFound(w, r)
			return
		}
		s.Requests.Add(1)
		w.Header().Set("Content-Type", "application/yaml")
		_, _ = w.Write(body)
	}))
	srv.Listener.Close()
	srv.Listener = ln
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}, MinVersion: tls.VersionTLS12}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	s.URL = "https://" + ln.Addr().String() + "/cluster-info.yaml"
	return s
}
