package etcdcluster

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestNew(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		endpoints []string
		change    func(t *testing.T, dir string)
		wantErr   []string
	}{
		{name: "complete"},
		{
			name:    "no CA",
			change:  remove("etcd/ca.crt"),
			wantErr: []string{"read the etcd CA certificate", filepath.Join("etcd", "ca.crt"), "no such file"},
		},
		{
			name:    "no client certificate",
			change:  remove("apiserver-etcd-client.crt"),
			wantErr: []string{"read the etcd client certificate", "apiserver-etcd-client.crt", "no such file"},
		},
		{
			name:    "no client key",
			change:  remove("apiserver-etcd-client.key"),
			wantErr: []string{"read the etcd client key", "apiserver-etcd-client.key", "no such file"},
		},
		{
			name:    "CA is not PEM",
			change:  overwrite("etcd/ca.crt", "not a certificate"),
			wantErr: []string{filepath.Join("etcd", "ca.crt"), "holds no PEM certificate"},
		},
		{
			name: "key of another certificate",
			change: func(t *testing.T, dir string) {
				b, err := os.ReadFile(filepath.Join(dir, "etcd", "server.key"))
				if err != nil {
					t.Fatal(err)
				}
				overwrite("apiserver-etcd-client.key", string(b))(t, dir)
			},
			wantErr: []string{"apiserver-etcd-client.crt with its key", "apiserver-etcd-client.key", "private key does not match"},
		},
		{
			name:      "no endpoints",
			endpoints: []string{},
			wantErr:   []string{"no endpoints given"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			testPKI(t, dir, net.IPv4(127, 0, 0, 1))
			if tt.change != nil {
				tt.change(t, dir)
			}
			endpoints := tt.endpoints
			if endpoints == nil {
				// Nothing listens there: New must not connect.
				endpoints = []string{"https://127.0.0.1:1"}
			}
			start := time.Now()
			c, err := New(endpoints, dir)
			if took := time.Since(start); took > time.Second {
				t.Errorf("New() took %s; it must not wait for a connection", took)
			}
			if len(tt.wantErr) == 0 {
				if err != nil {
					t.Fatalf("New() error = %v", err)
				}
				if err := c.Close(); err != nil {
					t.Errorf("Close() error = %v", err)
				}
				return
			}
			if err == nil {
				_ = c.Close()
				t.Fatalf("New() succeeded, want an error containing %q", tt.wantErr)
			}
			for _, want := range tt.wantErr {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("New() error = %q, want it to contain %q", err, want)
				}
			}
		})
	}
}

func remove(name string) func(*testing.T, string) {
	return func(t *testing.T, dir string) {
		if err := os.Remove(filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
}

func overwrite(name, content string) func(*testing.T, string) {
	return func(t *testing.T, dir string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// TestUnreachable checks the calls that fail without a cluster: at once for
// a bad peer URL, at ctx's deadline naming the endpoint otherwise.
func TestUnreachable(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	testPKI(t, dir, net.IPv4(127, 0, 0, 1))
	const down = "https://127.0.0.1:1"
	c, err := New([]string{down}, dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })

	tests := []struct {
		name    string
		call    func(context.Context) error
		wantErr []string
	}{
		{
			name: "AddLearner with a bad peer URL",
			call: func(ctx context.Context) error {
				_, _, err := c.AddLearner(ctx, "cp2", "10.0.0.2:2380", nil)
				return err
			},
			wantErr: []string{`"10.0.0.2:2380" is not a peer URL such as https://10.0.0.2:2380`},
		},
		{
			name:    "CheckHealth",
			call:    c.CheckHealth,
			wantErr: []string{"etcd cluster is not healthy: " + down + ": ", "(gave up at the deadline)"},
		},
		{
			name:    "WaitAvailable",
			call:    c.WaitAvailable,
			wantErr: []string{"wait for the etcd cluster to be available", down, "(gave up at the deadline)"},
		},
		{
			name: "Remove",
			call: func(ctx context.Context) error {
				_, err := c.Remove(ctx, "https://10.0.0.2:2380")
				return err
			},
			wantErr: []string{"remove the etcd member https://10.0.0.2:2380", "(gave up at the deadline)"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(t.Context(), 1500*time.Millisecond)
			defer cancel()
			start := time.Now()
			err := tt.call(ctx)
			if took := time.Since(start); took > 3*time.Second {
				t.Errorf("call took %s with a 1.5s deadline", took)
			}
			if err == nil {
				t.Fatal("call succeeded without etcd")
			}
			t.Logf("error: %v", err)
			for _, want := range tt.wantErr {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error = %q, want it to contain %q", err, want)
				}
			}
		})
	}
}
