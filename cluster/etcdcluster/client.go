package etcdcluster

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
	"google.golang.org/grpc/grpclog"
	"k8s.io/klog/v2"
)

// The files, relative to the certificate directory, with which the API
// server, and so kadm on a control-plane node, is an etcd client.
const (
	caFile   = "etcd/ca.crt"
	certFile = "apiserver-etcd-client.crt"
	keyFile  = "apiserver-etcd-client.key"
)

// dialTimeout bounds what the etcd client does while it is being made; the
// connection itself is made lazily, by the first call.
const dialTimeout = 5 * time.Second

// quietGRPC sends gRPC's logs, which go to stderr by default, to klog at
// high verbosity instead: kadm owns its output. Errors reach the warning
// writer too: one writer gets both, once. It runs before the first client
// is made, not at every kadm start.
var quietGRPC = sync.OnceFunc(func() {
	grpclog.SetLoggerV2(grpclog.NewLoggerV2(io.Discard, klogWriter{}, io.Discard))
})

// klogWriter passes gRPC's warnings and errors on as debug lines.
type klogWriter struct{}

func (klogWriter) Write(p []byte) (int, error) {
	klog.V(5).Info(strings.TrimSpace(string(p)))
	return len(p), nil
}

// Client is a connection to the etcd members at its endpoints, with the
// credentials to ask for more (one member's Status, through one endpoint).
type Client struct {
	endpoints []string
	tls       *tls.Config
	cli       *clientv3.Client
}

// New makes a client of the etcd members at endpoints that authenticates
// with the API server's etcd client certificate under certDir. It does not
// connect: the first call does, so New succeeds while etcd is down.
func New(endpoints []string, certDir string) (*Client, error) {
	if len(endpoints) == 0 {
		return nil, errors.New("connect to etcd: no endpoints given")
	}
	tlsConfig, err := clientTLS(certDir)
	if err != nil {
		return nil, err
	}
	quietGRPC()
	c := &Client{endpoints: slices.Clone(endpoints), tls: tlsConfig}
	if c.cli, err = c.dial(endpoints...); err != nil {
		return nil, err
	}
	return c, nil
}

// Close ends the client's connections.
func (c *Client) Close() error {
	return c.cli.Close()
}

// dial makes an etcd client of endpoints that logs nothing.
func (c *Client) dial(endpoints ...string) (*clientv3.Client, error) {
	cli, err := clientv3.New(clientv3.Config{
		Endpoints:   endpoints,
		TLS:         c.tls,
		DialTimeout: dialTimeout,
		Logger:      zap.NewNop(),
	})
	if err != nil {
		return nil, fmt.Errorf("make an etcd client of %s: %w", strings.Join(endpoints, ","), err)
	}
	return cli, nil
}

// clientTLS reads the etcd CA and the client certificate and key. Errors
// name the file; none shows key material.
func clientTLS(certDir string) (*tls.Config, error) {
	read := func(name, what string) ([]byte, error) {
		b, err := os.ReadFile(filepath.Join(certDir, name))
		if err != nil {
			return nil, fmt.Errorf("read the %s: %w (is %s the certificate directory of a control-plane node?)", what, err, certDir)
		}
		return b, nil
	}
	caPEM, err := read(caFile, "etcd CA certificate")
	if err != nil {
		return nil, err
	}
	certPEM, err := read(certFile, "etcd client certificate")
	if err != nil {
		return nil, err
	}
	keyPEM, err := read(keyFile, "etcd client key")
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		return nil, fmt.Errorf("read the etcd CA certificate: %s holds no PEM certificate", filepath.Join(certDir, caFile))
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, fmt.Errorf("load the etcd client certificate %s with its key %s: %w",
			filepath.Join(certDir, certFile), filepath.Join(certDir, keyFile), err)
	}
	return &tls.Config{
		RootCAs:      pool,
		Certificates: []tls.Certificate{pair},
		MinVersion:   tls.VersionTLS12,
	}, nil
}
