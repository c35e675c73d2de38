//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/kadm-project/kadm/test/e2e/framework"
)

// TestCluster is issue #11's acceptance, a whole cluster on real kubelets:
// kadm init, two workers (token with CA pin, file discovery) and a
// control-plane node joining at once; every Node Ready with containerd as its
// runtime; etcd with two voting members; kube-proxy running on every node and
// CoreDNS Ready; a Pod on a worker resolves the API server's Service name
// through CoreDNS and gets an answer from the API server at the Service
// address; a static Pod manifest kadm replaces is picked up by the kubelet;
// kadm reset on a worker removes its containers and leaves the others'.
func TestCluster(t *testing.T) {
	framework.RequireRoot(t)
	requireKadm(t)
	t.Parallel()
	reserveNodes(t, 2, 2)
	ctx := testContext(t, 20*time.Minute)
	c := initControlPlaneCluster(t, ctx, "acc-cp1")
	w1 := framework.NewHost(t, suite.lab, "acc-w1")
	w2 := framework.NewHost(t, suite.lab, "acc-w2")
	cp2 := framework.NewHost(t, suite.lab, "acc-cp2")

	t.Run("joins", func(t *testing.T) {
		t.Run("worker with token and CA pin", func(t *testing.T) {
			t.Parallel()
			c.join(t, ctx, w1, "join", c.endpoint, "--token", c.token, "--discovery-token-ca-cert-hash", c.hash)
			checkWorker(t, ctx, c.cp, w1, c.client, c.id)
		})
		t.Run("worker with file discovery", func(t *testing.T) {
			t.Parallel()
			path := w2.Dir + "/cluster-info.conf"
			writeFile(t, path, c.clusterInfo)
			c.join(t, ctx, w2, "join", "--discovery-file", path, "--tls-bootstrap-token", c.token)
			checkWorker(t, ctx, c.cp, w2, c.client, c.id)
		})
		t.Run("control-plane node", func(t *testing.T) {
			t.Parallel()
			out := c.run(t, ctx, cp2, slices.Concat(c.cpJoinArgs(), c.preflight)...)
			if !strings.Contains(out, cpJoinedMessage) {
				t.Errorf("the output lacks %q", cpJoinedMessage)
			}
		})
	})
	if t.Failed() {
		return
	}
	hosts := []*framework.Host{c.cp, cp2, w1, w2}

	t.Run("every Node is Ready with containerd as its runtime", func(t *testing.T) {
		for _, h := range hosts {
			waitNode(t, ctx, c.client, h.Name, func(n *corev1.Node) error {
				if v := n.Status.NodeInfo.ContainerRuntimeVersion; !strings.HasPrefix(v, "containerd://") {
					return fmt.Errorf("runtime %q, want containerd://...", v)
				}
				return nodeReady(n)
			})
		}
	})
	t.Run("etcd has two voting members", func(t *testing.T) { checkEtcdMembers(t, ctx, c.cp, []*framework.Host{c.cp, cp2}) })
	t.Run("each kubelet accepts the configuration kadm wrote", func(t *testing.T) {
		for _, h := range hosts {
			checkKubeletConfigAccepted(t, h)
		}
	})
	t.Run("kube-proxy runs on every node", func(t *testing.T) { waitKubeProxy(t, ctx, c.client, hosts, "") })
	t.Run("CoreDNS is Ready", func(t *testing.T) { waitCoreDNS(t, ctx, c.client, "") })
	t.Run("a Pod on a worker reaches the API server by its Service name", func(t *testing.T) {
		testServiceProbe(t, ctx, c.client, w1)
	})
	t.Run("a static Pod manifest replaced by kadm is picked up", func(t *testing.T) {
		testStaticPodReplaced(t, ctx, c, cp2)
	})
	t.Run("reset on a worker removes its containers and leaves the others'", func(t *testing.T) {
		testResetWorker(t, ctx, c.client, w2, []*framework.Host{c.cp, cp2, w1})
	})
}

// checkKubeletConfigAccepted checks that the kubelet decoded config.yaml
// strictly: it falls back to a lenient decoding, and says so, when the file
// has a field it does not know or a value of the wrong type.
func checkKubeletConfigAccepted(t *testing.T, h *framework.Host) {
	t.Helper()
	b, err := os.ReadFile(h.LogPath("kubelet"))
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"lenient decoding", "strict decoding error"} {
		if i := strings.Index(string(b), bad); i >= 0 {
			line := string(b[strings.LastIndexByte(string(b[:i]), '\n')+1:])
			line, _, _ = strings.Cut(line, "\n")
			t.Errorf("the kubelet of %s did not accept the config.yaml kadm wrote: %s", h.Name, line)
		}
	}
}

// waitKubeProxy waits until a kube-proxy Pod runs, Ready, on every host, on image
// unless it is empty.
func waitKubeProxy(t *testing.T, ctx context.Context, client kubernetes.Interface, hosts []*framework.Host, image string) {
	t.Helper()
	err := framework.WaitFor(ctx, 3*time.Minute, time.Second, "kube-proxy on every node"+onImage(image), func(ctx context.Context) error {
		pods, err := client.CoreV1().Pods(metav1.NamespaceSystem).List(ctx, metav1.ListOptions{LabelSelector: "k8s-app=kube-proxy"})
		if err != nil {
			return err
		}
		for _, h := range hosts {
			i := slices.IndexFunc(pods.Items, func(p corev1.Pod) bool {
				return p.Spec.NodeName == h.Name && (image == "" || p.Spec.Containers[0].Image == image)
			})
			if i < 0 {
				return fmt.Errorf("no kube-proxy Pod%s on %s", onImage(image), h.Name)
			}
			if err := podRunningReady(&pods.Items[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// onImage says which image a wait asks for, if any.
func onImage(image string) string {
	if image == "" {
		return ""
	}
	return " on " + image
}

// waitCoreDNS waits until every CoreDNS Pod is Ready, on image unless it is
// empty: its ready plugin answers once the kubernetes plugin has synced with the
// API server through the kubernetes Service.
func waitCoreDNS(t *testing.T, ctx context.Context, client kubernetes.Interface, image string) {
	t.Helper()
	err := framework.WaitFor(ctx, 3*time.Minute, time.Second, "CoreDNS Ready"+onImage(image), func(ctx context.Context) error {
		pods, err := client.CoreV1().Pods(metav1.NamespaceSystem).List(ctx, metav1.ListOptions{LabelSelector: "k8s-app=kube-dns"})
		if err != nil {
			return err
		}
		if len(pods.Items) == 0 {
			return fmt.Errorf("no CoreDNS Pod")
		}
		for i := range pods.Items {
			if err := podRunningReady(&pods.Items[i]); err != nil {
				return err
			}
			if got := pods.Items[i].Spec.Containers[0].Image; image != "" && got != image {
				return fmt.Errorf("pod %s has image %s, want %s", pods.Items[i].Name, got, image)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// testServiceProbe runs the probe image on w: it resolves
// kubernetes.default.svc.cluster.local through the cluster DNS (the Pod's
// resolv.conf names kube-dns's Service address, which kube-proxy forwards to a
// CoreDNS Pod) and asks the API server for its version at the address it got,
// verifying the certificate with the service account's CA for that name.
func testServiceProbe(t *testing.T, ctx context.Context, client kubernetes.Interface, w *framework.Host) {
	t.Helper()
	pods := client.CoreV1().Pods(metav1.NamespaceDefault)
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "probe", Namespace: metav1.NamespaceDefault},
		Spec: corev1.PodSpec{
			NodeName:      w.Name,
			RestartPolicy: corev1.RestartPolicyNever,
			Containers: []corev1.Container{{
				Name: "probe", Image: framework.ProbeImage, ImagePullPolicy: corev1.PullNever,
			}},
		},
	}
	if _, err := pods.Create(ctx, pod, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	var got *corev1.Pod
	err := framework.WaitFor(ctx, 2*time.Minute, time.Second, "the probe Pod to finish", func(ctx context.Context) error {
		p, err := pods.Get(ctx, pod.Name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		got = p
		if p.Status.Phase != corev1.PodSucceeded && p.Status.Phase != corev1.PodFailed {
			return fmt.Errorf("the Pod is %s", p.Status.Phase)
		}
		return nil
	})
	logs, lerr := pods.GetLogs(pod.Name, &corev1.PodLogOptions{}).DoRaw(ctx)
	t.Logf("the probe's output (%v):\n%s", lerr, logs)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status.Phase != corev1.PodSucceeded {
		t.Fatalf("the probe Pod %s", got.Status.Phase)
	}
	if !strings.Contains(string(logs), "is "+framework.KubernetesVersion) {
		t.Errorf("the probe's output does not report the API server's version %s", framework.KubernetesVersion)
	}
	if !strings.Contains(string(logs), "resolved kubernetes.default.svc.cluster.local: 10.96.0.1") {
		t.Errorf("the probe did not resolve the API server's Service name to its address 10.96.0.1")
	}
}

// testStaticPodReplaced has kadm write the scheduler's static Pod manifest
// again with another argument, on h: the kubelet must restart the scheduler
// with it.
func testStaticPodReplaced(t *testing.T, ctx context.Context, c *cpCluster, h *framework.Host) {
	t.Helper()
	name := "kube-scheduler-" + h.Name
	before, err := c.client.CoreV1().Pods(metav1.NamespaceSystem).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := h.Dir + "/scheduler.yaml"
	writeFile(t, cfg, fmt.Sprintf(`apiVersion: kubeadm.k8s.io/v1beta4
kind: ClusterConfiguration
kubernetesVersion: %s
controlPlaneEndpoint: %s
scheduler:
  extraArgs:
  - name: v
    value: "3"
`, framework.KubernetesVersion, c.endpoint))
	mustRun(t, ctx, h, "kadm", "init", "phase", "control-plane", "scheduler", "--config", cfg)
	err = framework.WaitFor(ctx, 2*time.Minute, time.Second, "the scheduler to run with --v=3", func(ctx context.Context) error {
		pod, err := c.client.CoreV1().Pods(metav1.NamespaceSystem).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		if !slices.Contains(pod.Spec.Containers[0].Command, "--v=3") {
			return fmt.Errorf("the mirror Pod runs %q", pod.Spec.Containers[0].Command)
		}
		if err := podRunningReady(pod); err != nil {
			return err
		}
		if len(pod.Status.ContainerStatuses) == 0 || len(before.Status.ContainerStatuses) == 0 ||
			pod.Status.ContainerStatuses[0].ContainerID == before.Status.ContainerStatuses[0].ContainerID {
			return fmt.Errorf("the scheduler still runs in container %v", before.Status.ContainerStatuses)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// testResetWorker runs kadm reset on w and checks that its containerd has no
// container left while every other host's kube-proxy still runs.
func testResetWorker(t *testing.T, ctx context.Context, client kubernetes.Interface, w *framework.Host, others []*framework.Host) {
	t.Helper()
	out := mustRun(t, ctx, w, "kadm", "reset", "--force")
	if !strings.Contains(out, "Removing Kubernetes-managed containers") {
		t.Errorf("reset does not say that it removes the containers")
	}
	err := framework.WaitFor(ctx, time.Minute, time.Second, "no container on "+w.Name, func(ctx context.Context) error {
		list, err := w.Run(ctx, "crictl", "ps", "--all", "--quiet")
		if err != nil {
			return err
		}
		if ids := strings.Fields(list); len(ids) > 0 {
			return fmt.Errorf("containers %q remain", ids)
		}
		sandboxes, err := w.Run(ctx, "crictl", "pods", "--quiet")
		if err != nil {
			return err
		}
		if ids := strings.Fields(sandboxes); len(ids) > 0 {
			return fmt.Errorf("pod sandboxes %q remain", ids)
		}
		return nil
	})
	if err != nil {
		t.Error(err)
	}
	for _, h := range others {
		list, err := h.Run(ctx, "crictl", "ps", "--quiet", "--name", "kube-proxy")
		if err != nil {
			t.Fatal(err)
		}
		if len(strings.Fields(list)) != 1 {
			t.Errorf("%s runs kube-proxy containers %q after the reset of %s, want one", h.Name, list, w.Name)
		}
	}
}
