package cri

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// containerdConfig gives a test containerd everything of its own under dir:
// root, state, sockets, the opt and CNI directories, and registry hosts; the
// snapshotters that mount are off (native copies instead), so the test
// touches nothing of the machine.
const containerdConfig = `version = 2
root = "{{dir}}/root"
state = "{{dir}}/state"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.overlayfs", "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]

[grpc]
  address = "{{dir}}/containerd.sock"
[ttrpc]
  address = "{{dir}}/containerd.sock.ttrpc"

[plugins."io.containerd.internal.v1.opt"]
  path = "{{dir}}/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "{{sandbox}}"
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "native"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "{{dir}}/cni/bin"
    conf_dir = "{{dir}}/cni/net.d"
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = "{{dir}}/certs.d"
`

// startContainerd runs the machine's containerd with its own directories,
// trusting reg's CA as the README's air-gapped install has an operator
// configure it (a hosts.toml naming the CA), and stops it when the test ends. It skips
// the test where containerd cannot run: without root or without the binary.
func startContainerd(t *testing.T, sandboxImage string, reg *testRegistry) string {
	t.Helper()
	bin, err := exec.LookPath("containerd")
	if err != nil || os.Geteuid() != 0 {
		t.Skip("needs root and containerd on PATH (apt-get install containerd)")
	}
	dir, err := os.MkdirTemp("", "kadm-cri-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	cfg := strings.NewReplacer("{{dir}}", dir, "{{sandbox}}", sandboxImage).Replace(containerdConfig)
	ca := filepath.Join(dir, "certs.d", reg.host(), "ca.crt")
	// containerd 1.6 needs a host entry, and falls back to the server when
	// the host has no such image: both must trust the CA.
	hosts := fmt.Sprintf("server = %q\nca = %q\n\n[host.%q]\n  capabilities = [\"pull\", \"resolve\"]\n  ca = %q\n", reg.URL, ca, reg.URL, ca)
	for path, content := range map[string]string{
		"config.toml": cfg,
		filepath.Join("certs.d", reg.host(), "hosts.toml"): hosts,
		filepath.Join("certs.d", reg.host(), "ca.crt"):     string(reg.caPEM()),
	} {
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(path)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, path), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var log bytes.Buffer
	cmd := exec.Command(bin, "--config", filepath.Join(dir, "config.toml"))
	cmd.Stdout, cmd.Stderr = &log, &log
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("containerd's log:\n%s", log.String())
		}
	})
	endpoint := "unix://" + filepath.Join(dir, "containerd.sock")
	var d net.Dialer
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := Connect(context.Background(), endpoint, d.DialContext)
		if err == nil {
			c.Close()
			return endpoint
		}
		select {
		case err := <-exited:
			t.Fatalf("containerd exited before it served the CRI: %v\n%s", err, log.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("containerd did not serve the CRI within 30s: %v\n%s", err, log.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestContainerd runs the client against the machine's real containerd.
func TestContainerd(t *testing.T) {
	t.Parallel()
	reg := newTestRegistry(t, "kadm-test/hello", "v1")
	const sandbox = "registry.k8s.io/pause:3.10.2"
	endpoint := startContainerd(t, sandbox, reg)
	c := connect(t, endpoint)
	ctx := context.Background()

	v, err := c.Version(ctx)
	if err != nil || v.RuntimeName != "containerd" || v.RuntimeAPIVersion != criAPIVersion {
		t.Fatalf("Version = %+v, %v", v, err)
	}
	if err := c.Ready(ctx); err != nil {
		t.Fatalf("Ready: %v", err)
	}
	implemented, err := c.RuntimeConfigImplemented(ctx)
	if err != nil {
		t.Fatalf("RuntimeConfigImplemented: %v", err)
	}
	// containerd answers RuntimeConfig from 2.0 on.
	if want := !strings.HasPrefix(v.RuntimeVersion, "1."); implemented != want {
		t.Errorf("RuntimeConfigImplemented of containerd %s = %v, want %v", v.RuntimeVersion, implemented, want)
	}
	if got, err := c.SandboxImage(ctx); err != nil || got != sandbox {
		t.Errorf("SandboxImage = %q, %v; want %q", got, err, sandbox)
	}

	image := reg.image()
	if errs := EnsureImages(ctx, c, []string{image}, corev1.PullNever, true); len(errs) != 1 || !strings.Contains(errs[0].Error(), "is not present") {
		t.Fatalf("EnsureImages with Never before the pull = %v", errs)
	}
	if errs := EnsureImages(ctx, c, []string{image}, corev1.PullIfNotPresent, true); len(errs) != 0 {
		t.Fatalf("EnsureImages: %v", errs)
	}
	if ok, err := c.ImageExists(ctx, image); err != nil || !ok {
		t.Fatalf("ImageExists after the pull = %v, %v", ok, err)
	}
	before := reg.manifestRequests()
	if errs := EnsureImages(ctx, c, []string{image}, corev1.PullIfNotPresent, false); len(errs) != 0 {
		t.Fatalf("EnsureImages of a present image: %v", errs)
	}
	if after := reg.manifestRequests(); after != before {
		t.Errorf("IfNotPresent asked the registry again for a present image (%d manifest requests)", after-before)
	}

	missing := reg.host() + "/kadm-test/hello:v2"
	err = Pull(ctx, c, missing)
	if err == nil || CodeOf(err) != NotFound || !strings.Contains(err.Error(), "failed to pull image "+missing) {
		t.Errorf("Pull of a missing tag = %v (code %s), want NotFound naming it", err, CodeOf(err))
	}

	if pods, err := c.PodSandboxes(ctx); err != nil || len(pods) != 0 {
		t.Errorf("PodSandboxes of a fresh containerd = %v, %v", pods, err)
	}
	if err := RemovePods(ctx, c); err != nil {
		t.Errorf("RemovePods with no Pods: %v", err)
	}
}
