package cri

import (
	"context"
	"errors"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
)

func TestConnectFailures(t *testing.T) {
	t.Parallel()
	missing := "unix://" + filepath.Join(t.TempDir(), "missing.sock")
	// A gRPC server that serves something else than the CRI, as containerd
	// does with its CRI plugin disabled.
	notCRI := serve(t, func(s *grpc.Server) { healthpb.RegisterHealthServer(s, health.NewServer()) })
	for _, tc := range []struct {
		name, endpoint string
		want           []string
	}{
		{"no socket", missing, []string{"could not connect to the container runtime at " + missing, "no such file or directory"}},
		{"not a unix URL", "tcp://127.0.0.1:1", []string{`"tcp://127.0.0.1:1" is not a unix:// socket URL`}},
		{"bare path", "/run/containerd/containerd.sock", []string{"is not a unix:// socket URL"}},
		{"no CRI service", notCRI, []string{"does not serve the CRI v1 API"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var d net.Dialer
			start := time.Now()
			c, err := Connect(context.Background(), tc.endpoint, d.DialContext)
			if err == nil {
				c.Close()
				t.Fatal("Connect succeeded")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "rpc error:") {
				t.Errorf("error %q keeps gRPC's framing", err)
			}
			if d := time.Since(start); d > callTimeout {
				t.Errorf("failing took %s, more than one call's limit %s", d, callTimeout)
			}
		})
	}
}

func TestVersionAndReady(t *testing.T) {
	t.Parallel()
	f := &fakeRuntime{}
	c := connect(t, f.start(t))
	v, err := c.Version(context.Background())
	if err != nil || v != (Version{RuntimeName: "fake", RuntimeVersion: "1.0.0", RuntimeAPIVersion: "v1"}) {
		t.Fatalf("Version = %+v, %v", v, err)
	}
	if err := c.Ready(context.Background()); err != nil {
		t.Fatalf("Ready of a ready runtime: %v", err)
	}
	f.mu.Lock()
	f.notReady = "containerd is starting"
	f.mu.Unlock()
	err = c.Ready(context.Background())
	want := `container runtime condition "RuntimeReady" is not true. reason: NotReadyReason, message: containerd is starting`
	if err == nil || err.Error() != want {
		t.Fatalf("Ready = %v, want %q", err, want)
	}
}

func TestRuntimeConfigImplemented(t *testing.T) {
	t.Parallel()
	for _, implemented := range []bool{false, true} {
		f := &fakeRuntime{runtimeConfig: implemented}
		got, err := connect(t, f.start(t)).RuntimeConfigImplemented(context.Background())
		if err != nil || got != implemented {
			t.Errorf("RuntimeConfigImplemented = %v, %v; want %v", got, err, implemented)
		}
	}
}

func TestSandboxImage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		info    map[string]string
		want    string
		wantErr string
	}{
		{name: "reported", info: configInfo(t, "registry.k8s.io/pause:3.10.2"), want: "registry.k8s.io/pause:3.10.2"},
		{name: "no config", info: map[string]string{"golang": "go1.20"}, wantErr: `no "config" information`},
		{name: "no sandbox image", info: map[string]string{"config": `{"enableSelinux":false}`}, wantErr: "names no sandboxImage"},
		{name: "not JSON", info: map[string]string{"config": `sandbox_image = "x"`}, wantErr: `read the container runtime's "config" information`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := &fakeRuntime{info: tc.info}
			got, err := connect(t, f.start(t)).SandboxImage(context.Background())
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("SandboxImage = %q, %v; want an error saying %q", got, err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("SandboxImage = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestImageExistsAndPull(t *testing.T) {
	t.Parallel()
	const image = "registry.k8s.io/pause:3.10.2"
	f := &fakeRuntime{pullErrs: []error{status.Error(codes.NotFound, "registry.k8s.io/pause:3.10.2: not found")}}
	c := connect(t, f.start(t))
	ctx := context.Background()
	if ok, err := c.ImageExists(ctx, image); err != nil || ok {
		t.Fatalf("ImageExists before the pull = %v, %v", ok, err)
	}
	err := c.PullImage(ctx, image)
	if err == nil || err.Error() != "failed to pull image "+image+": "+image+": not found" || CodeOf(err) != NotFound {
		t.Fatalf("failed pull: %v (code %s)", err, CodeOf(err))
	}
	if err := c.PullImage(ctx, image); err != nil {
		t.Fatal(err)
	}
	if ok, err := c.ImageExists(ctx, image); err != nil || !ok {
		t.Fatalf("ImageExists after the pull = %v, %v", ok, err)
	}
}

func TestPodSandboxes(t *testing.T) {
	t.Parallel()
	f := &fakeRuntime{sandboxes: []string{"a", "b"}}
	got, err := connect(t, f.start(t)).PodSandboxes(context.Background())
	want := []PodSandbox{{ID: "a", Name: "pod-a", Namespace: "kube-system"}, {ID: "b", Name: "pod-b", Namespace: "kube-system"}}
	if err != nil || len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("PodSandboxes = %+v, %v; want %+v", got, err, want)
	}
}

func TestCallCanceled(t *testing.T) {
	t.Parallel()
	f := &fakeRuntime{}
	c := connect(t, f.start(t))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Version(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Version with a canceled context = %v, want context.Canceled", err)
	}
}
