//go:build e2e

package e2e

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kadm-project/kadm/test/e2e/framework"
)

// TestHosts checks the simulated hosts themselves: they reach each other and
// are reached from the test machine over their addresses, each has its own
// host name and private directories, and teardown leaves nothing behind.
func TestHosts(t *testing.T) {
	framework.RequireRoot(t)
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

	t.Run("private directories", func(t *testing.T) {
		for _, dir := range []string{"/etc/kubernetes", "/var/lib/kubelet", "/var/lib/etcd", "/run"} {
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

	t.Run("teardown leaves nothing behind", func(t *testing.T) {
		h, err := suite.lab.CreateHost(ctx, "harness-gone")
		if err != nil {
			t.Fatal(err)
		}
		if err := startInHost(ctx, h, "serve", h.IP.String()+":8080"); err != nil {
			t.Fatal(err)
		}
		if _, err := h.Run(ctx, "systemctl", "start", "kubelet"); err != nil {
			t.Fatal(err)
		}
		if _, err := h.Run(ctx, "sh", "-c", "echo x > /etc/kubernetes/kadm-e2e-marker"); err != nil {
			t.Fatal(err)
		}
		if err := h.Destroy(ctx); err != nil {
			t.Fatal(err)
		}
		if namespaces, err := suite.lab.Namespaces(ctx); err != nil || slices.Contains(namespaces, h.Namespace) {
			t.Errorf("network namespace %s remains (%v)", h.Namespace, err)
		}
		if links, err := suite.lab.Links(ctx); err != nil || slices.Contains(links, h.Veth) {
			t.Errorf("veth %s remains (%v)", h.Veth, err)
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
		if _, err := os.Stat("/etc/kubernetes/kadm-e2e-marker"); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("the host's /etc/kubernetes leaked to the test machine")
		}
	})
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
