package joinphases

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/node/cri/crifake"
	"github.com/kadm-project/kadm/preflight"
)

// missingInError is the list of files a failed controlPlanePreflight names.
func missingInError(t *testing.T, err error) []string {
	t.Helper()
	_, rest, ok := strings.Cut(err.Error(), "the shared certificates [")
	list, _, ok2 := strings.Cut(rest, "] are missing")
	if !ok || !ok2 {
		t.Fatalf("error does not list missing files: %v", err)
	}
	return strings.Fields(list)
}

func TestControlPlanePreflight(t *testing.T) {
	t.Parallel()
	stacked := []string{"ca.crt", "ca.key", "front-proxy-ca.crt", "front-proxy-ca.key", "sa.pub", "sa.key", "etcd/ca.crt", "etcd/ca.key"}
	tests := []struct {
		name     string
		key      string
		external bool
		// shared: write the shared CAs and keys; remove: then take these away.
		shared bool
		remove []string
		// wantMissing are the files the error lists, relative to d.dir.
		wantMissing []string
	}{
		{name: "everything shared is present", shared: true},
		{name: "nothing shared is present", wantMissing: prefixed("pki", stacked)},
		{name: "some shared files are missing", shared: true, remove: []string{"front-proxy-ca.key", "sa.pub", "etcd/ca.crt"},
			wantMissing: prefixed("pki", []string{"front-proxy-ca.key", "sa.pub", "etcd/ca.crt"})},
		{name: "a certificate key downloads them later", key: strings.Repeat("ab", 32)},
		// kubeadm's ExternalEtcdClientCertificates check, ignored here,
		// stands for an external etcd's client files.
		{name: "external etcd client files are left to an ignorable check", external: true, shared: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := controlPlaneJoin(t)
			d.ignore = []string{"all"}
			d.cfg.ControlPlane.CertificateKey = tt.key
			cluster := d.state.Cluster
			if tt.external {
				ext := filepath.Join(d.dir, "ext")
				cluster.Etcd.Local = nil
				cluster.Etcd.External = &config.ExternalEtcd{Endpoints: []string{"https://10.0.0.9:2379"},
					CAFile: filepath.Join(ext, "ca.crt"), CertFile: filepath.Join(ext, "client.crt"), KeyFile: filepath.Join(ext, "client.key")}
			}
			if tt.shared {
				sharedCAs(t, cluster)
			}
			for _, rel := range tt.remove {
				if err := os.Remove(filepath.Join(cluster.CertificatesDir, rel)); err != nil {
					t.Fatal(err)
				}
			}
			var checked atomic.Int32
			h := bareHost(0)
			h.NumCPU = func() int { checked.Add(1); return 2 }
			out, err := output(func(ctx context.Context) error { return controlPlanePreflight(ctx, d, cluster, h) })
			if checked.Load() == 0 {
				t.Errorf("the control-plane checks did not run")
			}
			if !strings.Contains(out, "[preflight] Running pre-flight checks before initializing the new control plane instance") {
				t.Errorf("output lacks kubeadm's line:\n%s", out)
			}
			if tt.wantMissing == nil {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, preflight.ErrChecksFailed) {
				t.Fatalf("error = %v, want preflight.ErrChecksFailed", err)
			}
			want := prefixed(d.dir, tt.wantMissing)
			if got := missingInError(t, err); !slices.Equal(got, want) {
				t.Errorf("missing files = %v, want %v", got, want)
			}
			if !strings.Contains(err.Error(), "--certificate-key") {
				t.Errorf("error does not say how to get the files: %v", err)
			}
		})
	}
}

// TestControlPlanePreflightNeedsEndpoint: a cluster without a
// controlPlaneEndpoint cannot take a second control-plane node, which no
// ignored check changes, so nothing else is checked.
func TestControlPlanePreflightNeedsEndpoint(t *testing.T) {
	t.Parallel()
	d := controlPlaneJoin(t)
	d.ignore = []string{"all"}
	d.state.Cluster.ControlPlaneEndpoint = ""
	var checked atomic.Int32
	h := bareHost(0)
	h.NumCPU = func() int { checked.Add(1); return 2 }
	out, err := output(func(ctx context.Context) error { return controlPlanePreflight(ctx, d, d.state.Cluster, h) })
	if !errors.Is(err, preflight.ErrChecksFailed) || !strings.Contains(err.Error(), "controlPlaneEndpoint") {
		t.Fatalf("error = %v, want preflight.ErrChecksFailed naming controlPlaneEndpoint", err)
	}
	if checked.Load() != 0 || out != "" {
		t.Errorf("checks ran before the controlPlaneEndpoint was checked (%d host calls), output:\n%s", checked.Load(), out)
	}
}

func prefixed(dir string, rels []string) []string {
	out := make([]string, len(rels))
	for i, r := range rels {
		out[i] = filepath.Join(dir, r)
	}
	return out
}

// TestControlPlanePreflightPullsImages: a control-plane join ends its
// preflight, like init's, by filling the runtime with the cluster's
// control-plane images, with the joining node's pull policy.
func TestControlPlanePreflightPullsImages(t *testing.T) {
	t.Parallel()
	d := controlPlaneJoin(t)
	d.ignore = []string{"all"}
	d.cfg.ControlPlane.CertificateKey = strings.Repeat("ab", 32)
	cluster := d.state.Cluster
	cluster.ImageRepository = "registry.lab:5000"
	rt := &crifake.Runtime{Sandbox: config.PauseImage(cluster)}
	h := bareHost(0)
	h.CRI = rt.Connect
	out, err := output(func(ctx context.Context) error { return controlPlanePreflight(ctx, d, cluster, h) })
	if err != nil {
		t.Fatal(err)
	}
	if want := config.Images(cluster); !slices.Equal(rt.Pulls(), want) {
		t.Errorf("pulled %q, want %q", rt.Pulls(), want)
	}
	if !strings.Contains(out, "[preflight] You can also perform this action beforehand using 'kadm config images pull'\n") {
		t.Errorf("output lacks the pull lines:\n%s", out)
	}
}
