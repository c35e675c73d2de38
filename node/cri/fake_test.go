package cri

import (
	"context"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// fakeRuntime is a CRI server on a unix socket of its own, holding a few
// images and sandboxes in memory. It answers what kadm asks and counts the
// calls, so tests see what went over the wire.
type fakeRuntime struct {
	runtimeapi.UnimplementedRuntimeServiceServer
	runtimeapi.UnimplementedImageServiceServer

	mu sync.Mutex
	// notReady, when set, is the reason RuntimeReady is false.
	notReady string
	// runtimeConfig answers RuntimeConfig; otherwise it is unimplemented.
	runtimeConfig bool
	// info is the verbose status's info map.
	info map[string]string
	// images are the images present.
	images []string
	// pullErrs are the errors the next pulls return, in turn.
	pullErrs []error
	// sandboxes are the Pod sandboxes, by ID.
	sandboxes []string
	// stopErrs are the errors the next StopPodSandbox calls return, in turn.
	stopErrs []error
	pulls    []string
	stops    []string
}

// start serves f on a new socket and returns its endpoint.
func (f *fakeRuntime) start(t testing.TB) string {
	t.Helper()
	return serve(t, func(s *grpc.Server) {
		runtimeapi.RegisterRuntimeServiceServer(s, f)
		runtimeapi.RegisterImageServiceServer(s, f)
	})
}

// serve runs a gRPC server with the services register adds on a unix socket
// in a directory of its own (short, as socket paths must be) and returns
// its endpoint.
func serve(t testing.TB, register func(*grpc.Server)) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "cri-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	path := filepath.Join(dir, "cri.sock")
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	s := grpc.NewServer()
	register(s)
	go s.Serve(l)
	t.Cleanup(s.Stop)
	return "unix://" + path
}

func connect(t *testing.T, endpoint string) *Client {
	t.Helper()
	var d net.Dialer
	c, err := Connect(context.Background(), endpoint, d.DialContext)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func (f *fakeRuntime) Version(context.Context, *runtimeapi.VersionRequest) (*runtimeapi.VersionResponse, error) {
	return &runtimeapi.VersionResponse{Version: "0.1.0", RuntimeName: "fake", RuntimeVersion: "1.0.0", RuntimeApiVersion: "v1"}, nil
}

func (f *fakeRuntime) Status(_ context.Context, r *runtimeapi.StatusRequest) (*runtimeapi.StatusResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	ready := &runtimeapi.RuntimeCondition{Type: runtimeapi.RuntimeReady, Status: f.notReady == ""}
	if f.notReady != "" {
		ready.Reason, ready.Message = "NotReadyReason", f.notReady
	}
	network := &runtimeapi.RuntimeCondition{Type: runtimeapi.NetworkReady, Status: false, Reason: "NetworkPluginNotReady"}
	resp := &runtimeapi.StatusResponse{Status: &runtimeapi.RuntimeStatus{Conditions: []*runtimeapi.RuntimeCondition{ready, network}}}
	if r.GetVerbose() {
		resp.Info = f.info
	}
	return resp, nil
}

func (f *fakeRuntime) RuntimeConfig(context.Context, *runtimeapi.RuntimeConfigRequest) (*runtimeapi.RuntimeConfigResponse, error) {
	if !f.runtimeConfig {
		return nil, status.Error(codes.Unimplemented, "method RuntimeConfig not implemented")
	}
	return &runtimeapi.RuntimeConfigResponse{Linux: &runtimeapi.LinuxRuntimeConfiguration{CgroupDriver: runtimeapi.CgroupDriver_SYSTEMD}}, nil
}

func (f *fakeRuntime) ImageStatus(_ context.Context, r *runtimeapi.ImageStatusRequest) (*runtimeapi.ImageStatusResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if slices.Contains(f.images, r.GetImage().GetImage()) {
		return &runtimeapi.ImageStatusResponse{Image: &runtimeapi.Image{Id: "sha256:0", RepoTags: []string{r.GetImage().GetImage()}}}, nil
	}
	return &runtimeapi.ImageStatusResponse{}, nil
}

func (f *fakeRuntime) PullImage(_ context.Context, r *runtimeapi.PullImageRequest) (*runtimeapi.PullImageResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	image := r.GetImage().GetImage()
	f.pulls = append(f.pulls, image)
	if len(f.pullErrs) > 0 {
		err := f.pullErrs[0]
		f.pullErrs = f.pullErrs[1:]
		if err != nil {
			return nil, err
		}
	}
	f.images = append(f.images, image)
	return &runtimeapi.PullImageResponse{ImageRef: "sha256:0"}, nil
}

func (f *fakeRuntime) ListPodSandbox(context.Context, *runtimeapi.ListPodSandboxRequest) (*runtimeapi.ListPodSandboxResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var items []*runtimeapi.PodSandbox
	for _, id := range f.sandboxes {
		items = append(items, &runtimeapi.PodSandbox{Id: id, Metadata: &runtimeapi.PodSandboxMetadata{Name: "pod-" + id, Namespace: "kube-system"}})
	}
	return &runtimeapi.ListPodSandboxResponse{Items: items}, nil
}

func (f *fakeRuntime) StopPodSandbox(_ context.Context, r *runtimeapi.StopPodSandboxRequest) (*runtimeapi.StopPodSandboxResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.stops = append(f.stops, r.GetPodSandboxId())
	if len(f.stopErrs) > 0 {
		err := f.stopErrs[0]
		f.stopErrs = f.stopErrs[1:]
		if err != nil {
			return nil, err
		}
	}
	if !slices.Contains(f.sandboxes, r.GetPodSandboxId()) {
		return nil, status.Errorf(codes.NotFound, "an error occurred when try to find sandbox %q: not found", r.GetPodSandboxId())
	}
	return &runtimeapi.StopPodSandboxResponse{}, nil
}

func (f *fakeRuntime) RemovePodSandbox(_ context.Context, r *runtimeapi.RemovePodSandboxRequest) (*runtimeapi.RemovePodSandboxResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sandboxes = slices.DeleteFunc(f.sandboxes, func(id string) bool { return id == r.GetPodSandboxId() })
	return &runtimeapi.RemovePodSandboxResponse{}, nil
}

// configInfo is a verbose status "config" entry naming sandboxImage.
func configInfo(t *testing.T, sandboxImage string) map[string]string {
	t.Helper()
	b, err := json.Marshal(map[string]any{"sandboxImage": sandboxImage, "enableSelinux": false})
	if err != nil {
		t.Fatal(err)
	}
	return map[string]string{"config": string(b)}
}
