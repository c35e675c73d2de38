package etcdcluster

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kadm-project/kadm/internal/httplog"
)

// The files, relative to the certificate directory, with which the API
// server, and so kadm on a control-plane node, is an etcd client.
const (
	caFile   = "etcd/ca.crt"
	certFile = "apiserver-etcd-client.crt"
	keyFile  = "apiserver-etcd-client.key"
)

// Client is a client of the etcd members at its endpoints. It speaks etcd's
// v3 JSON API (the gRPC gateway every etcd serves on its client URLs, which
// kubeadm's etcd manifest leaves on) over HTTPS with the API server's etcd
// client certificate: kadm needs a handful of calls, and etcd's Go client
// would bring gRPC and protobuf into every kadm command.
type Client struct {
	http *http.Client
	// mu guards endpoints and next, the endpoint the next cluster-wide
	// call tries first; calls move on when one does not answer.
	mu        sync.Mutex
	endpoints []string
	next      int
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
	transport := &http.Transport{
		TLSClientConfig:     tlsConfig,
		TLSHandshakeTimeout: dialTimeout,
		DialContext:         (&net.Dialer{Timeout: dialTimeout}).DialContext,
		MaxIdleConnsPerHost: 2,
	}
	return &Client{endpoints: slices.Clone(endpoints), http: &http.Client{Transport: httplog.Wrap(transport)}}, nil
}

// Close ends the client's idle connections.
func (c *Client) Close() error {
	c.http.CloseIdleConnections()
	return nil
}

// dialTimeout bounds the TCP connection and the TLS handshake to a member.
const dialTimeout = 5 * time.Second

// maxResponse bounds what kadm reads of one answer; the member list of a
// large cluster is a few kilobytes.
const maxResponse = 4 << 20

// APIError is an error etcd answered with: a gRPC status code and etcd's
// message, such as "etcdserver: too many learner members in cluster".
type APIError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

func (e *APIError) Error() string { return e.Message }

// gRPC status codes of etcd's answers that kadm tells apart.
const (
	codeInvalidArgument  = 3
	codeNotFound         = 5
	codePermissionDenied = 7
	codeUnauthenticated  = 16
)

// call posts req as JSON to path on endpoint and decodes the answer into
// resp. An error etcd answered with is an *APIError; one that no other
// attempt can cure (a refused certificate, a forbidden or malformed
// request, an answer that is not etcd's) is marked permanent.
func (c *Client) call(ctx context.Context, endpoint, path string, req, resp any) error {
	body, err := json.Marshal(req)
	if err != nil {
		return permanent(err)
	}
	r, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(endpoint, "/")+path, bytes.NewReader(body))
	if err != nil {
		return permanent(err)
	}
	r.Header.Set("Content-Type", "application/json")
	res, err := c.http.Do(r)
	if err != nil {
		if refusedTLS(err) {
			return permanent(fmt.Errorf("%w (does %s trust the etcd CA and accept the API server's etcd client certificate?)", err, endpoint))
		}
		return err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, maxResponse+1))
	if err != nil {
		return err
	}
	if len(data) > maxResponse {
		return permanent(fmt.Errorf("the answer of %s%s is larger than %d bytes", endpoint, path, maxResponse))
	}
	if res.StatusCode != http.StatusOK {
		apiErr := &APIError{}
		if json.Unmarshal(data, apiErr) != nil || apiErr.Message == "" {
			apiErr = &APIError{Message: fmt.Sprintf("%s%s answered HTTP %d: %.200q", endpoint, path, res.StatusCode, data)}
		}
		switch apiErr.Code {
		case codeInvalidArgument, codePermissionDenied, codeUnauthenticated:
			return permanent(apiErr)
		}
		return apiErr
	}
	if err := json.Unmarshal(data, resp); err != nil {
		return permanent(fmt.Errorf("read the answer of %s%s: %w", endpoint, path, err))
	}
	return nil
}

// refusedTLS tells whether TLS failed on the certificates, which retrying
// does not change: kadm did not trust the member's, or the member sent an
// alert about kadm's ("remote error: tls: bad certificate").
func refusedTLS(err error) bool {
	var unknown x509.UnknownAuthorityError
	var invalid x509.CertificateInvalidError
	var hostname x509.HostnameError
	var verify *tls.CertificateVerificationError
	var op *net.OpError
	return errors.As(err, &unknown) || errors.As(err, &invalid) || errors.As(err, &hostname) ||
		errors.As(err, &verify) || (errors.As(err, &op) && op.Op == "remote error")
}

// clusterCall makes a cluster-wide call through the first endpoint that
// answers, starting with the one that answered last.
func (c *Client) clusterCall(ctx context.Context, path string, req, resp any) error {
	c.mu.Lock()
	start, endpoints := c.next, slices.Clone(c.endpoints)
	c.mu.Unlock()
	var errs []error
	for i := range endpoints {
		k := (start + i) % len(endpoints)
		err := c.call(ctx, endpoints[k], path, req, resp)
		if err == nil {
			c.mu.Lock()
			c.next = k
			c.mu.Unlock()
			return nil
		}
		if _, answered := errors.AsType[*APIError](err); answered || isPermanent(err) || ctx.Err() != nil {
			return err
		}
		errs = append(errs, fmt.Errorf("%s: %w", endpoints[k], err))
	}
	return errors.Join(errs...)
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
