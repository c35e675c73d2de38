package framework

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestHostPath(t *testing.T) {
	t.Parallel()
	h := &Host{Dir: "/tmp/kadm-e2e/a"}
	for _, tc := range []struct{ in, want string }{
		{"/etc/kubernetes/admin.conf", "/tmp/kadm-e2e/a/etc-kubernetes/admin.conf"},
		{"/etc/kubernetes", "/tmp/kadm-e2e/a/etc-kubernetes"},
		{"/var/lib/kubelet/pki/kubelet-client-current.pem", "/tmp/kadm-e2e/a/var-lib-kubelet/pki/kubelet-client-current.pem"},
		{"/var/lib/etcd/member", "/tmp/kadm-e2e/a/var-lib-etcd/member"},
		{"/run/kubelet-standin/kubelet.log", "/tmp/kadm-e2e/a/run/kubelet-standin/kubelet.log"},
		{"/etc/hosts", "/tmp/kadm-e2e/a/etc-hosts"},
		{"/etc/kubernetesX/file", "/etc/kubernetesX/file"},
		{"/usr/bin/env", "/usr/bin/env"},
	} {
		if got := h.Path(tc.in); got != tc.want {
			t.Errorf("Path(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestValidHostName(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{"cp", true}, {"kubeadm-worker", true}, {"a1", true},
		{"", false}, {"-a", false}, {"a-", false}, {"Upper", false}, {"a_b", false}, {strings.Repeat("a", 33), false},
	} {
		if err := validHostName(tc.name); (err == nil) != tc.ok {
			t.Errorf("validHostName(%q) = %v, want ok %t", tc.name, err, tc.ok)
		}
	}
}

func TestTail(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"a\nb\nc\n", 2, "b\nc"},
		{"a\nb\nc", 5, "a\nb\nc"},
		{"", 3, ""},
		{"only\n", 1, "only"},
	} {
		if got := string(tail([]byte(tc.in), tc.n)); got != tc.want {
			t.Errorf("tail(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}

func TestWaitFor(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	calls := 0
	err := WaitFor(ctx, time.Second, time.Millisecond, "the third call", func(context.Context) error {
		if calls++; calls < 3 {
			return errors.New("not yet")
		}
		return nil
	})
	if err != nil || calls != 3 {
		t.Errorf("WaitFor = %v after %d calls, want success after 3", err, calls)
	}
	err = WaitFor(ctx, 20*time.Millisecond, time.Millisecond, "never", func(context.Context) error { return errors.New("still no") })
	if err == nil || !strings.Contains(err.Error(), "timed out") || !strings.Contains(err.Error(), "still no") {
		t.Errorf("a timeout gives %v, want the wait and the last failure named", err)
	}
	calls = 0
	err = WaitFor(ctx, time.Second, time.Millisecond, "a permanent failure", func(context.Context) error {
		calls++
		return Permanent(errors.New("broken"))
	})
	if err == nil || calls != 1 || !strings.Contains(err.Error(), "broken") {
		t.Errorf("a permanent error gives %v after %d calls, want it at once", err, calls)
	}
}
