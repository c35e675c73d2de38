package cri

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// conn makes unary gRPC calls over HTTP/2 on a unix socket: a CRI runtime
// is a gRPC server, and a unary call is one HTTP/2 POST whose body is the
// length-prefixed request and whose trailers carry the status. net/http
// speaks that, so kadm links no gRPC library.
type conn struct {
	transport *http.Transport
}

func newConn(path string, dial Dialer) *conn {
	var protocols http.Protocols
	protocols.SetUnencryptedHTTP2(true)
	return &conn{transport: &http.Transport{
		Protocols: &protocols,
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return dial(ctx, "unix", path)
		},
		MaxResponseHeaderBytes: 1 << 20,
	}}
}

func (c *conn) close() { c.transport.CloseIdleConnections() }

// invoke calls method, such as "/runtime.v1.RuntimeService/Version", with
// the encoded request and returns the encoded answer. A call that gets no
// answer fails with Unavailable, one the runtime refuses with its status.
func (c *conn) invoke(ctx context.Context, method string, request []byte) ([]byte, error) {
	body := make([]byte, 5, 5+len(request))
	binary.BigEndian.PutUint32(body[1:], uint32(len(request)))
	body = append(body, request...)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://localhost"+method, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/grpc")
	req.Header.Set("Te", "trailers")
	req.Header.Set("User-Agent", "kadm")
	if deadline, ok := ctx.Deadline(); ok {
		req.Header.Set("Grpc-Timeout", grpcTimeout(time.Until(deadline)))
	}
	resp, err := c.transport.RoundTrip(req)
	if err != nil {
		return nil, transportError(ctx, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, &StatusError{Code: httpCode(resp.StatusCode), Message: "the container runtime answered HTTP " + resp.Status + " instead of gRPC"}
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/grpc") {
		return nil, &StatusError{Code: Internal, Message: fmt.Sprintf("the container runtime answered %q instead of gRPC", ct)}
	}
	payload, err := io.ReadAll(io.LimitReader(resp.Body, 5+maxMsgSize+1))
	if err != nil {
		return nil, transportError(ctx, err)
	}
	if err := callStatus(resp); err != nil {
		return nil, err
	}
	return message(payload)
}

// callStatus is the call's status from the trailers, or from the headers
// of a trailers-only answer (a call that failed before any message).
func callStatus(resp *http.Response) error {
	code, msg := resp.Trailer.Get("Grpc-Status"), resp.Trailer.Get("Grpc-Message")
	if code == "" {
		code, msg = resp.Header.Get("Grpc-Status"), resp.Header.Get("Grpc-Message")
	}
	if code == "" {
		return &StatusError{Code: Internal, Message: "the container runtime's answer has no gRPC status"}
	}
	n, err := strconv.ParseUint(code, 10, 32)
	if err != nil {
		return &StatusError{Code: Internal, Message: fmt.Sprintf("the container runtime's answer has the malformed gRPC status %q", code)}
	}
	if n == uint64(OK) {
		return nil
	}
	if m, err := url.PathUnescape(msg); err == nil {
		msg = m
	}
	return &StatusError{Code: Code(n), Message: msg}
}

// message is the one message of a unary answer's body: a flag byte (0: not
// compressed, as kadm asks for no compression), its length and itself.
func message(body []byte) ([]byte, error) {
	if len(body) < 5 {
		return nil, &StatusError{Code: Internal, Message: "the container runtime's answer has no message"}
	}
	if body[0] != 0 {
		return nil, &StatusError{Code: Internal, Message: "the container runtime answered with a compressed message, which kadm did not ask for"}
	}
	n := binary.BigEndian.Uint32(body[1:5])
	if n > maxMsgSize {
		return nil, &StatusError{Code: Internal, Message: fmt.Sprintf("the container runtime's answer is larger than %d bytes", maxMsgSize)}
	}
	if uint32(len(body)-5) != n {
		return nil, &StatusError{Code: Internal, Message: "the container runtime's answer is not one whole message"}
	}
	return body[5:], nil
}

// transportError is the error of a call that got no answer: the context's
// when it ended, otherwise Unavailable with the network's reason (such as
// "dial unix /run/containerd/containerd.sock: connect: no such file or
// directory").
func transportError(ctx context.Context, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return ctxErr
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return &StatusError{Code: Unavailable, Message: err.Error()}
}

// httpCode is gRPC's status for an HTTP answer that is not gRPC.
func httpCode(status int) Code {
	switch status {
	case http.StatusUnauthorized:
		return Unauthenticated
	case http.StatusForbidden:
		return PermissionDenied
	case http.StatusNotFound:
		return Unimplemented
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return Unavailable
	}
	return Unknown
}

// grpcTimeout is the grpc-timeout header for d, which tells the runtime
// when kadm stops waiting: at most 8 digits, in the finest unit they fit.
func grpcTimeout(d time.Duration) string {
	if d <= 0 {
		return "1n"
	}
	for _, u := range []struct {
		unit string
		size time.Duration
	}{{"n", time.Nanosecond}, {"u", time.Microsecond}, {"m", time.Millisecond}, {"S", time.Second}, {"M", time.Minute}} {
		if v := d / u.size; v < 1e8 {
			return strconv.FormatInt(int64(v), 10) + u.unit
		}
	}
	return strconv.FormatInt(int64(d/time.Hour), 10) + "H"
}
