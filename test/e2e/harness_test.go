//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kadm-project/kadm/test/e2e/framework"
)

// TestHosts checks the simulated hosts themselves: they reach each other and
// are reached from the test machine over their addresses and reach nothing
// outside the lab; each has its own host name and file system, masks the
// kubelet's machine-wide sysctls, runs containerd and the kubelet from their
// units with the lab's images; a host whose isolation is broken starts
// nothing; teardown leaves nothing behind.
func TestHosts(t *testing.T) {
	framework.RequireRoot(t)
	reserveNodes(t, 0, 4)
	ctx := testContext(t, 3*time.Minute)
	a := framework.NewHost(t, suite.lab, "harness-a")
	b := framework.NewHost(t, suite.lab, "harness-b")
	hosts := []*framework.Host{a, b}
	for _, h := range hosts {
		if err := startInHost(ctx, h, "serve", h.IP.String()+":8080"); err != nil {
			t.Fatal(err)
		}
		url := "http://" + h.IP.String() + ":8080/"
		err := framework.WaitFor(ctx, 20*time.Second, 100*time.Millisecond, "the server on "+h.Name, func(ctx context.Context) error {
			return expectBody(ctx, url, h.Name)
		})
		if err != nil {
			t.Fatalf("from the test machine: %v", err)
		}
	}

	t.Run("hosts reach each other", func(t *testing.T) {
		for _, tc := range []struct{ from, to *framework.Host }{{a, b}, {b, a}} {
			out, err := inHost(ctx, tc.from, "get", "http://"+tc.to.IP.String()+":8080/")
			if err != nil {
				t.Errorf("%s to %s: %v", tc.from.Name, tc.to.Name, err)
			} else if out != tc.to.Name {
				t.Errorf("%s to %s answered %q, want the host name %q", tc.from.Name, tc.to.Name, out, tc.to.Name)
			}
		}
	})

	t.Run("nothing outside the lab is reachable", func(t *testing.T) {
		// 203.0.113.0/24 is reserved for documentation: were the routing
		// rules missing, the packet would at worst go nowhere.
		start := time.Now()
		out, err := inHost(ctx, a, "get", "http://203.0.113.1/")
		if err == nil {
			t.Fatalf("harness-a reached 203.0.113.1: %s", out)
		}
		if !strings.Contains(out, "unreachable") && !strings.Contains(out, "no route") {
			t.Errorf("harness-a to 203.0.113.1 failed with %q, want it refused as unreachable", out)
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("refusing took %s: the packet was sent instead of refused", d)
		}
	})

	t.Run("each host has its own name", func(t *testing.T) {
		for _, h := range hosts {
			out, err := h.Run(ctx, "hostname")
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.TrimSpace(out); got != h.Name {
				t.Errorf("hostname on %s = %q", h.Name, got)
			}
		}
	})

	t.Run("private file systems", func(t *testing.T) {
		// Overlays over the machine's directories, the node's state directories
		// bound from the host's own, a tmpfs /run.
		for _, dir := range []string{"/etc", "/var", "/usr", "/opt", "/root", "/etc/kubernetes", "/var/lib/kubelet", "/var/lib/containerd", "/var/lib/etcd", "/run"} {
			marker := filepath.Join(dir, "kadm-e2e-marker")
			if _, err := a.Run(ctx, "sh", "-c", "echo harness-a > "+marker); err != nil {
				t.Fatal(err)
			}
			if got, err := os.ReadFile(a.Path(marker)); err != nil || string(got) != "harness-a\n" {
				t.Errorf("%s written in harness-a: at %s on the test machine: %q, %v", marker, a.Path(marker), got, err)
			}
			if _, err := os.Stat(marker); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("%s written in harness-a is visible on the test machine (stat: %v)", marker, err)
			}
			if out, err := b.Run(ctx, "sh", "-c", "test ! -e "+marker); err != nil {
				t.Errorf("%s written in harness-a is visible in harness-b: %v %s", marker, err, out)
			}
		}
	})

	t.Run("the kubelet's machine-wide sysctls are masked", func(t *testing.T) {
		for _, key := range []string{"vm/overcommit_memory", "kernel/panic", "kernel/panic_on_oops"} {
			machine, err := os.ReadFile("/proc/sys/" + key)
			if err != nil {
				t.Fatal(err)
			}
			masked, err := os.ReadFile(a.Path("/proc/sys/" + key))
			if err != nil {
				t.Fatal(err)
			}
			// Write another value, then what the kubelet wants back, so the
			// host stays fit to run a kubelet.
			for _, v := range []string{"7", strings.TrimSpace(string(masked))} {
				if _, err := a.Run(ctx, "sh", "-c", "echo "+v+" > /proc/sys/"+key); err != nil {
					t.Fatal(err)
				}
				if now, err := os.ReadFile("/proc/sys/" + key); err != nil || string(now) != string(machine) {
					t.Errorf("writing %s in harness-a changed the machine's value from %q to %q (%v)", key, machine, now, err)
				}
			}
		}
	})

	t.Run("containerd and the kubelet run from their units", func(t *testing.T) {
		// status exits 3 while the kubelet waits to be restarted.
		out, _ := a.Run(ctx, "systemctl", "status", "kubelet")
		for _, want := range []string{"/usr/lib/systemd/system/kubelet.service", "10-kubeadm.conf"} {
			if !strings.Contains(out, want) {
				t.Errorf("systemctl status kubelet does not show %s", want)
			}
		}
		if out, err := a.Run(ctx, "systemctl", "is-active", "containerd"); err != nil || strings.TrimSpace(out) != "active" {
			t.Errorf("containerd is %q (%v), want active", out, err)
		}
		// Until kadm writes config.yaml the kubelet exits and is restarted.
		err := framework.WaitFor(ctx, 30*time.Second, 200*time.Millisecond, "the kubelet's second start", func(context.Context) error {
			b, err := os.ReadFile(a.LogPath("kubelet"))
			if err != nil {
				return err
			}
			if n := strings.Count(string(b), "hostinit: kubelet.service: started "); n < 2 {
				return fmt.Errorf("started %d times", n)
			}
			if !strings.Contains(string(b), "--config=/var/lib/kubelet/config.yaml") {
				return errors.New("the kubelet was not started with kubeadm's --config")
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		out = mustRun(t, ctx, a, "ctr", "--namespace=k8s.io", "images", "list", "--quiet")
		for _, want := range []string{"registry.k8s.io/pause:3.10.2", "registry.k8s.io/kube-proxy:" + framework.KubernetesVersion, framework.ProbeImage} {
			if !slices.Contains(strings.Fields(out), want) {
				t.Errorf("containerd lacks image %s (has %q)", want, out)
			}
		}
	})

	t.Run("a host whose isolation is broken refuses to start services", func(t *testing.T) {
		mustRun(t, ctx, b, "umount", "/proc/sys/kernel/panic")
		out, err := b.Run(ctx, "systemctl", "restart", "containerd")
		if err == nil || !strings.Contains(out, "refusing to start") || !strings.Contains(out, "kernel.panic") {
			t.Errorf("systemctl restart containerd with kernel.panic unmasked: %v\n%s", err, out)
		}
	})

	t.Run("a sweep removes what an interrupted run left", func(t *testing.T) { testSweepAfterCrash(t, ctx) })

	t.Run("teardown leaves nothing behind", func(t *testing.T) {
		h, err := suite.lab.CreateHost(ctx, "harness-gone")
		if err != nil {
			t.Fatal(err)
		}
		if err := startInHost(ctx, h, "serve", h.IP.String()+":8080"); err != nil {
			t.Fatal(err)
		}
		// A container of its own, in the host's cgroup, with its shim, mounts
		// and network namespace.
		mustRun(t, ctx, h, "ctr", "--namespace=k8s.io", "run", "--detach", "--cgroup", "/"+h.Cgroup+"/harness",
			"registry.k8s.io/pause:3.10.2", "harness-pause")
		if _, err := h.Run(ctx, "sh", "-c", "echo x > /etc/kubernetes/kadm-e2e-marker"); err != nil {
			t.Fatal(err)
		}
		if err := h.Destroy(ctx); err != nil {
			t.Fatal(err)
		}
		if namespaces, err := suite.lab.Namespaces(ctx); err != nil || slices.Contains(namespaces, h.Namespace) {
			t.Errorf("network namespace %s remains (%v)", h.Namespace, err)
		}
		if out, _ := exec.CommandContext(ctx, "ip", "-n", suite.lab.Name, "link", "show", h.Link).CombinedOutput(); !strings.Contains(string(out), "does not exist") {
			t.Errorf("link %s remains at the router: %s", h.Link, out)
		}
		if _, err := os.Stat(h.Dir); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("host directory %s remains (stat: %v)", h.Dir, err)
		}
		if _, err := os.Stat(fmt.Sprintf("/proc/%d", h.InitPID)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("PID 1 of the host (%d) remains (stat: %v)", h.InitPID, err)
		}
		if err := expectBody(ctx, "http://"+h.IP.String()+":8080/", h.Name); err == nil {
			t.Errorf("a server of the removed host still answers")
		}
		mounts, err := os.ReadFile("/proc/self/mountinfo")
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(mounts), h.Dir) {
			t.Errorf("a mount of %s remains on the test machine", h.Dir)
		}
		if groups, _ := filepath.Glob("/sys/fs/cgroup/*/" + h.Cgroup); len(groups) > 0 {
			t.Errorf("cgroups remain: %q", groups)
		}
		procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
		for _, p := range procs {
			if b, err := os.ReadFile(p); err == nil && strings.Contains(string(b), h.Dir) {
				t.Errorf("process %s remains: %q", filepath.Dir(p), b)
			}
		}
		if _, err := os.Stat("/etc/kubernetes/kadm-e2e-marker"); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("the host's /etc/kubernetes leaked to the test machine")
		}
	})
}

// testSweepAfterCrash has a process create a host of a lab of its own and
// die without tearing it down, as an interrupted run would; a sweep of that
// lab must leave nothing of it on the machine.
func testSweepAfterCrash(t *testing.T, ctx context.Context) {
	lab := &framework.Lab{Name: "kadm-crash", LinkPrefix: "kcrash", SecondOctet: 79,
		Init: suite.lab.Init, BinDir: suite.lab.BinDir, UnitDir: suite.lab.UnitDir, Images: suite.lab.Images,
		ContainerdRoot: suite.lab.ContainerdRoot, Programs: suite.lab.Programs}
	b, err := json.Marshal(lab)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = lab.Sweep(context.WithoutCancel(ctx)) })
	cmd := exec.CommandContext(ctx, os.Args[0], "crash", "victim")
	cmd.Env = append(os.Environ(), helperEnv+"=1", crashLabEnv+"="+string(b))
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ProcessState.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("the crashing helper ended with %v, want killed by SIGKILL:\n%s", err, out)
	}
	left, err := lab.Leftovers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(left, "network namespace kadm-crash-victim") || !slices.ContainsFunc(left, func(s string) bool { return strings.HasPrefix(s, "cgroup ") }) {
		t.Fatalf("the killed run left %q, want at least its host's namespace and cgroups", left)
	}
	if err := lab.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	if left, err := lab.Leftovers(ctx); err != nil || len(left) > 0 {
		t.Errorf("after the sweep: %q (%v)", left, err)
	}
}

// expectBody gets url and checks the answer is want.
func expectBody(ctx context.Context, url, want string) error {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if string(b) != want {
		return fmt.Errorf("GET %s: %q, want %q", url, b, want)
	}
	return nil
}
