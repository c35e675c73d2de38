//go:build e2e

package e2e

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kadm-project/kadm/test/e2e/framework"
)

// TestInitLoadBalancerNotReady is issue #12's acceptance of kubeadm v1.37's
// local endpoint during init: with a controlPlaneEndpoint that does not
// answer yet (nothing listens on its port), kadm init completes, since its
// own API calls go to the node's API server; admin.conf, cluster-info and
// the join command name the endpoint, and once the load balancer answers
// (a forwarder to the API server), admin.conf works through it.
func TestInitLoadBalancerNotReady(t *testing.T) {
	framework.RequireRoot(t)
	requireKadm(t)
	t.Parallel()
	reserveNodes(t, 1, 0)
	ctx := testContext(t, 15*time.Minute)
	h := framework.NewHost(t, suite.lab, "init-lb")
	token, _, _ := newToken(t)
	endpoint := net.JoinHostPort(h.IP.String(), "7443")
	args := append([]string{"init", "--apiserver-advertise-address", h.IP.String(), "--token", token,
		"--kubernetes-version", framework.KubernetesVersion, "--control-plane-endpoint", endpoint}, preflightFlags(t)...)
	out := mustRun(t, ctx, h, "kadm", args...)
	if !strings.Contains(out, "kadm join "+endpoint+" --token") {
		t.Errorf("the join command does not name the controlPlaneEndpoint %s", endpoint)
	}
	admin, err := h.ReadFile("/etc/kubernetes/admin.conf")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(admin), "server: https://"+endpoint+"\n") {
		t.Errorf("admin.conf does not name the controlPlaneEndpoint:\n%s", admin)
	}

	if err := startInHost(ctx, h, "forward", endpoint+">"+net.JoinHostPort(h.IP.String(), "6443")); err != nil {
		t.Fatal(err)
	}
	client := adminClient(t, h)
	err = framework.WaitFor(ctx, time.Minute, 500*time.Millisecond, "admin.conf to reach the API server through the load balancer at "+endpoint, func(ctx context.Context) error {
		_, err := client.CoreV1().Nodes().Get(ctx, h.Name, metav1.GetOptions{})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	info, err := client.CoreV1().ConfigMaps(metav1.NamespacePublic).Get(ctx, "cluster-info", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(info.Data["kubeconfig"], "server: https://"+endpoint+"\n") {
		t.Errorf("cluster-info does not name the controlPlaneEndpoint:\n%s", info.Data["kubeconfig"])
	}
}
