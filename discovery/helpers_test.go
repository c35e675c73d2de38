package discovery

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	bootstrapapi "k8s.io/cluster-bootstrap/token/api"
	tokenjws "k8s.io/cluster-bootstrap/token/jws"

	"github.com/kadm-project/kadm/internal/progress"
	"github.com/kadm-project/kadm/pkiutil"
)

const (
	testTokenID     = "abcdef"
	testTokenSecret = "0123456789abcdef"
	testToken       = testTokenID + "." + testTokenSecret
	otherTokenID    = "zyxwvu"
	otherSecret     = "fedcba9876543210"
)

// testCA is a certificate authority made for one test.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

func (ca testCA) pem() []byte { return pkiutil.EncodeCertPEM(ca.cert) }
func (ca testCA) pin() string { return pkiutil.PublicKeyPin(ca.cert) }
func (ca testCA) pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ca.cert)
	return p
}

func newTestCA(t *testing.T, name string) testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return testCA{cert: cert, key: key}
}

// serving issues a certificate for 127.0.0.1, the address every test server listens on.
func (ca testCA) serving(t *testing.T) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "kube-apiserver"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// startTLS serves h over TLS on addr (or any free port when addr is empty) with a
// certificate from ca.
func startTLS(t *testing.T, ca testCA, addr string, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	if addr != "" {
		l, err := net.Listen("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		srv.Listener.Close()
		srv.Listener = l
	}
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{ca.serving(t)}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

// clusterInfoKubeconfig is the kubeconfig kadm init puts into cluster-info.
func clusterInfoKubeconfig(t *testing.T, server string, caPEM []byte, extraClusters ...string) string {
	t.Helper()
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters[""] = &clientcmdapi.Cluster{Server: server, CertificateAuthorityData: caPEM}
	for _, name := range extraClusters {
		cfg.Clusters[name] = &clientcmdapi.Cluster{Server: server, CertificateAuthorityData: caPEM}
	}
	data, err := clientcmd.Write(*cfg)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// signedClusterInfo is cluster-info as the bootstrap signer leaves it: the kubeconfig and
// one detached JWS per token ("id.secret").
func signedClusterInfo(t *testing.T, kubeconfig string, tokens ...string) *corev1.ConfigMap {
	t.Helper()
	cm := &corev1.ConfigMap{Data: map[string]string{bootstrapapi.KubeConfigKey: kubeconfig}}
	cm.Name = bootstrapapi.ConfigMapClusterInfo
	cm.Namespace = "kube-public"
	for _, tok := range tokens {
		id, secret, _ := strings.Cut(tok, ".")
		sig, err := tokenjws.ComputeDetachedSignature(kubeconfig, id, secret)
		if err != nil {
			t.Fatal(err)
		}
		cm.Data[bootstrapapi.JWSSignatureKeyPrefix+id] = sig
	}
	return cm
}

// fakeAPI plays the two endpoints of kube-apiserver that discovery talks to.
type fakeAPI struct {
	t *testing.T
	// clusterInfo answers the n-th (from 0) read of cluster-info; nil means 404.
	clusterInfo func(n int) *corev1.ConfigMap
	// raw, when set, is the body of every answer to a read of cluster-info instead.
	raw []byte
	// known lists the tokens the authenticator accepts in a SelfSubjectReview.
	known map[string]bool

	reads, reviews atomic.Int32
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodGet && r.URL.Path == clusterInfoPath:
		if r.Header.Get("Authorization") != "" {
			f.t.Errorf("cluster-info read with credentials; it must be anonymous")
		}
		n := int(f.reads.Add(1) - 1)
		if f.raw != nil {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(f.raw)
			return
		}
		cm := f.clusterInfo(n)
		if cm == nil {
			http.Error(w, `{"kind":"Status","code":404}`, http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(cm)
	case r.Method == http.MethodPost && r.URL.Path == selfReviewPath:
		f.reviews.Add(1)
		tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !f.known[tok] {
			http.Error(w, `{"kind":"Status","code":401,"reason":"Unauthorized"}`, http.StatusUnauthorized)
			return
		}
		w.WriteHeader(http.StatusCreated)
		fmt.Fprint(w, `{"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"}`)
	default:
		http.NotFound(w, r)
	}
}

// reports collects progress lines; safe for the goroutines discovery may use.
type reports struct {
	mu    sync.Mutex
	lines []string
}

func (r *reports) add(message string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lines = append(r.lines, message)
}

// ctx is a context whose progress lines r collects.
func (r *reports) ctx() context.Context {
	return progress.WithSink(context.Background(), r.add)
}

func (r *reports) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.lines, "")
}

// freeAddr returns a 127.0.0.1 address nothing listens on right now.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// assertNoSecret fails when the token secret leaked into an error or a report.
func assertNoSecret(t *testing.T, texts ...string) {
	t.Helper()
	for _, s := range texts {
		if strings.Contains(s, testTokenSecret) {
			t.Errorf("token secret leaked: %q", s)
		}
	}
}
