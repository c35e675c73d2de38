//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/kadm-project/kadm/test/e2e/framework"
)

// journalEvent is one record of the host init in a service's log.
type journalEvent struct {
	at   time.Time
	text string
}

// kubeletJournal reads the host init's records of the kubelet service: each
// start, exit and systemctl request, in order.
func kubeletJournal(t testing.TB, h *framework.Host) []journalEvent {
	t.Helper()
	b, err := os.ReadFile(h.LogPath("kubelet"))
	if err != nil {
		t.Fatal(err)
	}
	var events []journalEvent
	for _, line := range strings.Split(string(b), "\n") {
		rest, ok := strings.CutPrefix(line, "==== ")
		if !ok {
			continue
		}
		stamp, text, _ := strings.Cut(rest, " hostinit: kubelet.service: ")
		at, err := time.Parse(time.RFC3339Nano, stamp)
		if err != nil {
			continue
		}
		events = append(events, journalEvent{at: at, text: text})
	}
	return events
}

// restartedBy returns when the kubelet last started after a systemctl restart
// that a command line containing by asked for, or an error saying why there
// is none.
func restartedBy(events []journalEvent, by string) (time.Time, int, error) {
	requests := 0
	var started time.Time
	for _, e := range events {
		switch {
		case strings.HasPrefix(e.text, "systemctl restart requested by ") && strings.Contains(e.text, by):
			requests++
			started = time.Time{}
		case requests > 0 && strings.HasPrefix(e.text, "started "):
			started = e.at
		}
	}
	if requests == 0 {
		return time.Time{}, 0, fmt.Errorf("no systemctl restart of the kubelet by %q", by)
	}
	if started.IsZero() {
		return time.Time{}, requests, fmt.Errorf("the kubelet did not start after the last restart by %q", by)
	}
	return started, requests, nil
}

// checkRestartedBy checks that the host's init restarted the kubelet because
// a command containing by ran systemctl restart, and that the kubelet started
// again afterwards.
func checkRestartedBy(t *testing.T, h *framework.Host, by string) {
	t.Helper()
	if _, _, err := restartedBy(kubeletJournal(t, h), by); err != nil {
		t.Errorf("%s: %v", h.Name, err)
	}
}

// checkKubeletFinalized checks kubelet-finalize's work on an init node:
// kubelet.conf names the kubelet's rotating client certificate, kadm init
// restarted the kubelet (in kubelet-start and again in kubelet-finalize), and
// the kubelet started by the last restart, on that kubelet.conf, renews the
// Node's Lease.
func checkKubeletFinalized(t *testing.T, ctx context.Context, client kubernetes.Interface, h *framework.Host) {
	t.Helper()
	cfg, err := clientcmd.LoadFromFile(h.Path("/etc/kubernetes/kubelet.conf"))
	if err != nil {
		t.Fatal(err)
	}
	auth := cfg.AuthInfos[cfg.Contexts[cfg.CurrentContext].AuthInfo]
	if auth.ClientCertificate != kubeletClientPair || auth.ClientKey != kubeletClientPair || len(auth.ClientCertificateData) > 0 {
		t.Errorf("kubelet.conf authenticates with %q and %q (embedded: %t), want %s", auth.ClientCertificate, auth.ClientKey, len(auth.ClientCertificateData) > 0, kubeletClientPair)
	}
	started, requests, err := restartedBy(kubeletJournal(t, h), "kadm init")
	if err != nil {
		t.Fatal(err)
	}
	if requests < 2 {
		t.Errorf("kadm init restarted the kubelet %d times, want 2 (kubelet-start, kubelet-finalize)", requests)
	}
	err = framework.WaitFor(ctx, time.Minute, time.Second, "the restarted kubelet to renew its Lease", func(ctx context.Context) error {
		lease, err := client.CoordinationV1().Leases(nodeLeaseNamespace).Get(ctx, h.Name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		if renewed := leaseRenewed(lease); !renewed.After(started) {
			return fmt.Errorf("the Lease was last renewed at %s, before the kubelet's start at %s", renewed, started)
		}
		return nil
	})
	if err != nil {
		t.Error(err)
	}
}

// nodeLeaseNamespace holds the kubelets' heartbeat Leases.
const nodeLeaseNamespace = "kube-node-lease"

func leaseRenewed(l *coordinationv1.Lease) time.Time {
	if l.Spec.RenewTime == nil {
		return time.Time{}
	}
	return l.Spec.RenewTime.Time
}
