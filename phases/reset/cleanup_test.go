package resetphases

import (
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// hostFiles is what init leaves on a control-plane node, relative to root.
var hostFiles = []string{
	"etc/kubernetes/manifests/kube-apiserver.yaml",
	"etc/kubernetes/pki/ca.crt",
	"etc/kubernetes/pki/etcd/ca.key",
	"etc/kubernetes/admin.conf",
	"etc/kubernetes/super-admin.conf",
	"etc/kubernetes/kubelet.conf",
	"etc/kubernetes/bootstrap-kubelet.conf",
	"etc/kubernetes/controller-manager.conf",
	"etc/kubernetes/scheduler.conf",
	"var/lib/kubelet/config.yaml",
	"var/lib/kubelet/pods/abc/volumes/data",
}

// kept are files that reset must leave.
var kept = []string{
	"etc/kubernetes/tmp/kubeadm-backup",
	"etc/kubernetes/my-notes.txt",
	"etc/precious.conf",
}

func layHost(t *testing.T, d *fakeData) {
	t.Helper()
	for _, f := range append(slices.Clone(hostFiles), kept...) {
		write(t, filepath.Join(d.root, f), "x")
	}
}

func TestCleanupNode(t *testing.T) {
	t.Parallel()
	d := newFakeData(t)
	layHost(t, d)
	write(t, d.mounts, "tmpfs "+filepath.Join(d.KubeletDir(), "pods/abc/volumes/data")+" tmpfs rw 0 0\n")
	out, err := run(t, runCleanupNode, d)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, f := range hostFiles {
		if exist(filepath.Join(d.root, f)) {
			t.Errorf("%s is still there", f)
		}
	}
	for _, f := range kept {
		if !exist(filepath.Join(d.root, f)) {
			t.Errorf("%s was removed", f)
		}
	}
	for _, dir := range []string{d.ManifestDir(), d.KubeletDir(), filepath.Join(d.KubernetesDir(), "pki")} {
		if !exist(dir) {
			t.Errorf("the directory %s itself was removed", dir)
		}
	}
	if !slices.Equal(d.sys.stopped, []string{"kubelet"}) {
		t.Errorf("stopped %v, want the kubelet", d.sys.stopped)
	}
	if want := []string{filepath.Join(d.KubeletDir(), "pods/abc/volumes/data")}; !slices.Equal(d.unmounted, want) {
		t.Errorf("unmounted %v, want %v", d.unmounted, want)
	}
	if pods := d.runtime.Pods; len(pods) != 0 || !d.runtime.Closed() {
		t.Errorf("the runtime still has the Pods %v (connection closed: %v)", pods, d.runtime.Closed())
	}
}

// TestCleanupNodeRuntimeUnreachable: a runtime that cannot be reached is a
// warning, as in kubeadm, and the rest of the cleanup goes on.
func TestCleanupNodeRuntimeUnreachable(t *testing.T) {
	t.Parallel()
	d := newFakeData(t)
	layHost(t, d)
	d.runtime = nil
	out, err := run(t, runCleanupNode, d)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	want := "[reset] WARNING: Failed to remove containers: could not connect to the container runtime at " + d.criSocket
	if !strings.Contains(out, want) {
		t.Errorf("output lacks %q:\n%s", want, out)
	}
	if exist(filepath.Join(d.root, hostFiles[0])) {
		t.Error("the files were kept")
	}
}

func TestCleanupNodeTmpDir(t *testing.T) {
	t.Parallel()
	d := newFakeData(t)
	layHost(t, d)
	d.cleanupTmp = true
	if out, err := run(t, runCleanupNode, d); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if exist(filepath.Join(d.root, "etc/kubernetes/tmp/kubeadm-backup")) {
		t.Error("--cleanup-tmp-dir left the tmp directory's contents")
	}
}

var listLine = regexp.MustCompile(`(?m)^\[(?:reset|dryrun)\] (?:Deleting|Would delete) (contents of directories|files): (.*)$`)

func lists(out string) map[string]string {
	m := map[string]string{}
	for _, sm := range listLine.FindAllStringSubmatch(out, -1) {
		m[sm[1]] = sm[2]
	}
	return m
}

// TestCleanupNodeDryRun: a dry run changes nothing and prints the lists a
// real run then deletes.
func TestCleanupNodeDryRun(t *testing.T) {
	t.Parallel()
	d := newFakeData(t)
	layHost(t, d)
	d.dryRun = true
	dry, err := run(t, runCleanupNode, d)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range append(slices.Clone(hostFiles), kept...) {
		if !exist(filepath.Join(d.root, f)) {
			t.Errorf("dry run removed %s", f)
		}
	}
	if len(d.sys.stopped) != 0 || len(d.unmounted) != 0 || len(d.runtime.Pods) != 2 {
		t.Errorf("dry run changed the host: stopped %v, unmounted %v, Pods left %v", d.sys.stopped, d.unmounted, d.runtime.Pods)
	}
	d.dryRun = false
	real, err := run(t, runCleanupNode, d)
	if err != nil {
		t.Fatal(err)
	}
	dl, rl := lists(dry), lists(real)
	if len(dl) != 2 || !maps(dl, rl) {
		t.Errorf("dry run listed %v, the real run %v", dl, rl)
	}
	if !strings.Contains(rl["files"], filepath.Join(d.KubernetesDir(), "super-admin.conf")) {
		t.Errorf("files list %q lacks super-admin.conf", rl["files"])
	}
}

func maps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestCleanupNodeRefusesCertificatesDir(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		certDir func(d *fakeData) string
	}{
		{"outside the kubernetes dir", func(d *fakeData) string { return filepath.Join(d.root, "etc") }},
		{"the kubernetes dir itself", func(d *fakeData) string { return d.KubernetesDir() }},
		{"relative", func(*fakeData) string { return "etc/kubernetes/pki" }},
		{"a system dir", func(*fakeData) string { return "/etc" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := newFakeData(t)
			layHost(t, d)
			d.certDir = tt.certDir(d)
			out, err := run(t, runCleanupNode, d)
			if err == nil || !strings.Contains(err.Error(), "refusing to clean the certificates directory from --cert-dir") {
				t.Fatalf("error %v, want a refusal naming the flag", err)
			}
			if strings.Contains(lists(out)["contents of directories"], d.certDir+" ") {
				t.Errorf("the refused directory is listed: %s", out)
			}
			for _, f := range kept {
				if !exist(filepath.Join(d.root, f)) {
					t.Errorf("%s was removed", f)
				}
			}
			if exist(filepath.Join(d.root, "etc/kubernetes/admin.conf")) {
				t.Error("the other targets were not removed")
			}
		})
	}
}

func TestCleanupNodeKeepsMountedKubeletDir(t *testing.T) {
	t.Parallel()
	d := newFakeData(t)
	layHost(t, d)
	write(t, d.mounts, "tmpfs "+filepath.Join(d.KubeletDir(), "pods/abc/volumes/data")+" tmpfs rw 0 0\n")
	d.unmountErr = errUnreachable
	out, err := run(t, runCleanupNode, d)
	if err == nil || !strings.Contains(err.Error(), "still mounted") {
		t.Fatalf("error %v, want one about the mount", err)
	}
	if !exist(filepath.Join(d.KubeletDir(), "pods/abc/volumes/data")) {
		t.Error("a still mounted volume was deleted")
	}
	if strings.Contains(lists(out)["contents of directories"], d.KubeletDir()) {
		t.Errorf("the kubelet dir is listed: %s", out)
	}
}

func TestCleanupNodeWithoutRuntime(t *testing.T) {
	t.Parallel()
	d := newFakeData(t)
	d.criSocket = ""
	out, err := run(t, runCleanupNode, d)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.runtime.Pods) != 2 || !strings.Contains(out, "No container runtime found") {
		t.Errorf("Pods left %v; output:\n%s", d.runtime.Pods, out)
	}
}
