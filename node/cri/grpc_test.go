package cri

import (
	"context"
	"encoding/binary"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// h2cServer serves handler over unencrypted HTTP/2 on a unix socket, as a
// gRPC server would, and returns a conn to it.
func h2cServer(t *testing.T, handler http.HandlerFunc) *conn {
	t.Helper()
	dir, err := os.MkdirTemp("", "cri-h2-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	path := filepath.Join(dir, "s.sock")
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	var protocols http.Protocols
	protocols.SetUnencryptedHTTP2(true)
	srv := &http.Server{Handler: handler, Protocols: &protocols}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	var d net.Dialer
	c := newConn(path, d.DialContext)
	t.Cleanup(c.close)
	return c
}

// frame is msg as a gRPC message: not compressed, length, bytes.
func frame(msg []byte) []byte {
	b := make([]byte, 5, 5+len(msg))
	binary.BigEndian.PutUint32(b[1:], uint32(len(msg)))
	return append(b, msg...)
}

func TestInvoke(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		handler  http.HandlerFunc
		want     string
		wantCode Code
		wantErr  string
	}{
		{
			name: "an answer with its status in the trailers",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/grpc")
				w.Header().Set("Trailer", "Grpc-Status, Grpc-Message")
				w.Write(frame([]byte("answer")))
				w.Header().Set("Grpc-Status", "0")
			},
			want: "answer",
		},
		{
			name: "a trailers-only failure, its message percent-encoded",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/grpc")
				w.Header().Set("Grpc-Status", "5")
				w.Header().Set("Grpc-Message", "image %22x%22: not found")
			},
			wantCode: NotFound, wantErr: `image "x": not found`,
		},
		{
			name:     "not gRPC",
			handler:  func(w http.ResponseWriter, r *http.Request) { http.Error(w, "no", http.StatusServiceUnavailable) },
			wantCode: Unavailable, wantErr: "answered HTTP 503",
		},
		{
			name: "no status",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/grpc")
				w.Write(frame(nil))
			},
			wantCode: Internal, wantErr: "has no gRPC status",
		},
		{
			name: "a compressed message",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/grpc")
				w.Header().Set("Trailer", "Grpc-Status")
				b := frame([]byte("x"))
				b[0] = 1
				w.Write(b)
				w.Header().Set("Grpc-Status", "0")
			},
			wantCode: Internal, wantErr: "compressed",
		},
		{
			name: "a truncated message",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/grpc")
				w.Header().Set("Trailer", "Grpc-Status")
				w.Write(frame([]byte("answer"))[:7])
				w.Header().Set("Grpc-Status", "0")
			},
			wantCode: Internal, wantErr: "not one whole message",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := h2cServer(t, tc.handler)
			got, err := c.invoke(context.Background(), "/runtime.v1.RuntimeService/Version", nil)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || CodeOf(err) != tc.wantCode {
					t.Fatalf("invoke = %q, %v (code %s); want %s saying %q", got, err, CodeOf(err), tc.wantCode, tc.wantErr)
				}
				return
			}
			if err != nil || string(got) != tc.want {
				t.Fatalf("invoke = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

// TestInvokeRequest: the request is a gRPC call, and tells the runtime
// when kadm stops waiting.
func TestInvokeRequest(t *testing.T) {
	t.Parallel()
	seen := make(chan *http.Request, 1)
	bodies := make(chan []byte, 1)
	c := h2cServer(t, func(w http.ResponseWriter, r *http.Request) {
		b := make([]byte, 64)
		n, _ := r.Body.Read(b)
		seen <- r
		bodies <- b[:n]
		w.Header().Set("Content-Type", "application/grpc")
		w.Header().Set("Grpc-Status", "12")
		w.Header().Set("Grpc-Message", "unknown method")
	})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	_, err := c.invoke(ctx, "/runtime.v1.ImageService/PullImage", []byte("req"))
	if CodeOf(err) != Unimplemented {
		t.Fatalf("invoke: %v", err)
	}
	r := <-seen
	if r.ProtoMajor != 2 || r.Method != http.MethodPost || r.URL.Path != "/runtime.v1.ImageService/PullImage" ||
		r.Header.Get("Content-Type") != "application/grpc" || r.Header.Get("Te") != "trailers" {
		t.Errorf("request %s %s HTTP/%d, headers %v", r.Method, r.URL.Path, r.ProtoMajor, r.Header)
	}
	if timeout := r.Header.Get("Grpc-Timeout"); !strings.HasSuffix(timeout, "u") && !strings.HasSuffix(timeout, "m") {
		t.Errorf("grpc-timeout %q for a 3 s deadline", timeout)
	}
	if body := <-bodies; string(body) != string(frame([]byte("req"))) {
		t.Errorf("body %q", body)
	}
}

func TestGRPCTimeout(t *testing.T) {
	t.Parallel()
	for d, want := range map[time.Duration]string{
		2 * time.Second:       "2000000u",
		10 * time.Minute:      "600000m",
		50 * time.Millisecond: "50000000n",
		0:                     "1n",
		200 * time.Hour:       "720000S",
	} {
		if got := grpcTimeout(d); got != want {
			t.Errorf("grpcTimeout(%s) = %q, want %q", d, got, want)
		}
	}
}
