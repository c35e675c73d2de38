//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kadm-project/kadm/internal/atomicfile"
	"github.com/kadm-project/kadm/test/e2e/framework"
)

// standinKubeletConfig is the least a KubeletConfiguration needs for the
// stand-in to run static Pods.
const standinKubeletConfig = `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
staticPodPath: /etc/kubernetes/manifests
healthzBindAddress: 127.0.0.1
healthzPort: 10248
`

// etcdManifest is a minimal etcd static Pod with plain HTTP on the host's
// loopback, its client port as given.
func etcdManifest(clientPort int) string {
	return fmt.Sprintf(`apiVersion: v1
kind: Pod
metadata:
  name: etcd
  namespace: kube-system
spec:
  hostNetwork: true
  containers:
  - name: etcd
    image: registry.k8s.io/etcd:3.6.5-0
    command:
    - etcd
    - --name=standin
    - --data-dir=/var/lib/etcd
    - --listen-client-urls=http://127.0.0.1:%[1]d
    - --advertise-client-urls=http://127.0.0.1:%[1]d
    - --listen-peer-urls=http://127.0.0.1:2380
    - --initial-advertise-peer-urls=http://127.0.0.1:2380
    - --initial-cluster=standin=http://127.0.0.1:2380
    - --listen-metrics-urls=http://127.0.0.1:2381
    volumeMounts:
    - name: etcd-data
      mountPath: /var/lib/etcd
  volumes:
  - name: etcd-data
    hostPath:
      path: /var/lib/etcd
      type: DirectoryOrCreate
`, clientPort)
}

// TestStandinStaticPods checks that the kubelet stand-in, started through
// the host's systemctl, serves /healthz and runs a static Pod as a process:
// started from its manifest, restarted when it exits or its manifest
// changes, kept across a kubelet restart, stopped when the manifest goes.
func TestStandinStaticPods(t *testing.T) {
	framework.RequireRoot(t)
	requireComponents(t, "etcd")
	ctx := testContext(t, 5*time.Minute)
	h := framework.NewHost(t, suite.lab, "standin")
	manifest := h.Path("/etc/kubernetes/manifests/etcd.yaml")
	writeFile(t, h.Path("/var/lib/kubelet/config.yaml"), standinKubeletConfig)
	writeFile(t, manifest, etcdManifest(2379))

	etcdPID := func() string {
		t.Helper()
		out, err := inHost(ctx, h, "pgrep", "--data-dir=/var/lib/etcd")
		if err != nil {
			t.Fatal(err)
		}
		pid, _, _ := strings.Cut(out, " ")
		return pid
	}
	waitEtcd := func(port int) {
		t.Helper()
		url := fmt.Sprintf("http://127.0.0.1:%d/health", port)
		err := framework.WaitFor(ctx, time.Minute, 200*time.Millisecond, "etcd at "+url, func(ctx context.Context) error {
			out, err := inHost(ctx, h, "get", url)
			if err == nil && !strings.Contains(out, `"health":"true"`) {
				return fmt.Errorf("unhealthy: %s", out)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	waitHealthz := func() {
		t.Helper()
		err := framework.WaitFor(ctx, 30*time.Second, 100*time.Millisecond, "the kubelet's /healthz", func(ctx context.Context) error {
			out, err := inHost(ctx, h, "get", "http://127.0.0.1:10248/healthz")
			if err == nil && out != "ok" {
				return fmt.Errorf("/healthz answered %q", out)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}

	out, err := h.Run(ctx, "kubelet", "--version")
	if err != nil || strings.TrimSpace(out) != "Kubernetes "+framework.KubernetesVersion {
		t.Fatalf("kubelet --version: %q, %v", out, err)
	}
	if _, err := h.Run(ctx, "systemctl", "restart", "kubelet"); err != nil {
		t.Fatal(err)
	}
	if out, err := h.Run(ctx, "systemctl", "is-active", "kubelet"); err != nil || strings.TrimSpace(out) != "active" {
		t.Fatalf("systemctl is-active kubelet: %q, %v", out, err)
	}
	waitHealthz()
	waitEtcd(2379)
	first := etcdPID()

	t.Run("a kubelet restart keeps the process", func(t *testing.T) {
		if _, err := h.Run(ctx, "systemctl", "restart", "kubelet"); err != nil {
			t.Fatal(err)
		}
		waitHealthz()
		err := framework.WaitFor(ctx, 30*time.Second, 100*time.Millisecond, "the new kubelet to adopt etcd", func(context.Context) error {
			return logContains(h, "kubelet.log", "adopted running container etcd")
		})
		if err != nil {
			t.Fatal(err)
		}
		if pid := etcdPID(); pid != first {
			t.Errorf("etcd's pid changed from %s to %s across a kubelet restart", first, pid)
		}
	})

	t.Run("an exited process is restarted", func(t *testing.T) {
		before := etcdPID()
		if _, err := inHost(ctx, h, "pkill", "--data-dir=/var/lib/etcd"); err != nil {
			t.Fatal(err)
		}
		err := framework.WaitFor(ctx, time.Minute, 200*time.Millisecond, "etcd to be restarted", func(context.Context) error {
			if pid := etcdPID(); pid == "" || pid == before {
				return fmt.Errorf("etcd pid is %q", pid)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		waitEtcd(2379)
	})

	t.Run("a changed manifest restarts the process", func(t *testing.T) {
		before := etcdPID()
		writeFile(t, manifest, etcdManifest(12379))
		waitEtcd(12379)
		if pid := etcdPID(); pid == before {
			t.Errorf("etcd still runs as pid %s after its manifest changed", pid)
		}
		if out, err := inHost(ctx, h, "get", "http://127.0.0.1:2379/health"); err == nil {
			t.Errorf("etcd still answers on the old port: %s", out)
		}
	})

	t.Run("a removed manifest stops the process", func(t *testing.T) {
		if err := os.Remove(manifest); err != nil {
			t.Fatal(err)
		}
		err := framework.WaitFor(ctx, time.Minute, 200*time.Millisecond, "etcd to stop", func(context.Context) error {
			if pid := etcdPID(); pid != "" {
				return fmt.Errorf("etcd still runs as pid %s", pid)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})

	t.Run("each container logs to its own file", func(t *testing.T) {
		b, err := os.ReadFile(filepath.Join(h.StandinDir(), "pods", "etcd_etcd.log"))
		if err != nil {
			t.Fatal(err)
		}
		if n := strings.Count(string(b), "kubelet-standin: starting "); n != 3 {
			t.Errorf("etcd's log records %d starts, want 3 (first, after the kill, after the change)", n)
		}
	})
}

func writeFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := atomicfile.Write(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// logContains checks a log of the kubelet stand-in for text.
func logContains(h *framework.Host, name, text string) error {
	b, err := os.ReadFile(filepath.Join(h.StandinDir(), name))
	if err != nil {
		return err
	}
	if !strings.Contains(string(b), text) {
		return fmt.Errorf("%s does not say %q yet", name, text)
	}
	return nil
}
