package framework

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// RootMessage says why the e2e suite needs root; tests skip with it and
// hack/e2e.sh fails with it.
const RootMessage = "the kadm e2e suite needs root: it creates network, mount and PID namespaces and veth pairs; run it as root (sudo make e2e)"

// RequireRoot skips the test unless it runs as root.
func RequireRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip(RootMessage)
	}
}

// NewHost creates a host for the test and tears it down when the test ends,
// first printing its logs if the test failed. With KADM_E2E_KEEP set, a
// failed test's hosts stay for inspection.
func NewHost(t testing.TB, lab *Lab, name string) *Host {
	t.Helper()
	RequireRoot(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	h, err := lab.CreateHost(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			h.DumpLogs(t)
			if os.Getenv("KADM_E2E_KEEP") != "" {
				t.Logf("KADM_E2E_KEEP is set: host %s stays. Enter it with\n  nsenter --target %d --mount --uts --net --pid --wd=/ env PATH=%s:%s sh\nremove the lab's hosts with\n  go run ./test/e2e/cmd/sandbox -lab %s down",
					h.Name, h.InitPID, h.BinDir(), systemPath, lab.Name)
				return
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := h.Destroy(ctx); err != nil {
			t.Errorf("tear down host %s: %v", h.Name, err)
		}
	})
	return h
}

// LogFiles lists the host's logs: its init's (every start, exit and systemctl
// request), each service's (containerd, the kubelet) and each container's,
// the kubelet's files under /var/log/pods.
func (h *Host) LogFiles() []string {
	files := []string{filepath.Join(h.Dir, "hostinit.log")}
	services, _ := filepath.Glob(h.Path(filepath.Join(hostLogDir, "*.log")))
	containers, _ := filepath.Glob(h.Path("/var/log/pods/*/*/*.log"))
	return append(append(files, services...), containers...)
}

// DumpLogs prints the end of each of the host's logs to the test log
// ($KADM_E2E_LOG_LINES lines, 80 by default). With KADM_E2E_ARTIFACTS set to
// a directory, it also copies the whole logs there, per test and host.
func (h *Host) DumpLogs(t testing.TB) {
	t.Helper()
	lines := 80
	if n, err := strconv.Atoi(os.Getenv("KADM_E2E_LOG_LINES")); err == nil && n > 0 {
		lines = n
	}
	artifacts := os.Getenv("KADM_E2E_ARTIFACTS")
	for _, f := range h.LogFiles() {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		t.Logf("==== host %s: %s (last %d lines)\n%s", h.Name, f, lines, tail(b, lines))
		if artifacts != "" {
			dir := filepath.Join(artifacts, safeName(t.Name()), h.Name)
			if err := os.MkdirAll(dir, 0o755); err == nil {
				_ = os.WriteFile(filepath.Join(dir, safeName(strings.TrimPrefix(f, h.Path("/")))), b, 0o644)
			}
		}
	}
}

// TailLogs writes the end of each of the host's logs to w.
func (h *Host) TailLogs(w io.Writer, lines int) {
	for _, f := range h.LogFiles() {
		if b, err := os.ReadFile(f); err == nil {
			fmt.Fprintf(w, "==== host %s: %s (last %d lines)\n%s\n", h.Name, f, lines, tail(b, lines))
		}
	}
}

// tail returns the last n lines of b.
func tail(b []byte, n int) []byte {
	lines := bytes.Split(bytes.TrimRight(b, "\n"), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return bytes.Join(lines, []byte("\n"))
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func safeName(s string) string { return strings.Trim(unsafeChars.ReplaceAllString(s, "_"), "_") }
