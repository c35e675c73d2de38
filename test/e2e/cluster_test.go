//go:build e2e

package e2e

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	bootstrapapi "k8s.io/cluster-bootstrap/token/api"
	"k8s.io/cluster-bootstrap/token/jws"
	bootstraputil "k8s.io/cluster-bootstrap/token/util"

	"github.com/kadm-project/kadm/test/e2e/framework"
)

// controlPlaneLabels and controlPlaneTaint are what mark-control-plane puts
// on the node.
var controlPlaneLabels = []string{"node-role.kubernetes.io/control-plane", "node.kubernetes.io/exclude-from-external-load-balancers"}

const controlPlaneTaint = "node-role.kubernetes.io/control-plane"

// newToken returns a fresh bootstrap token "id.secret".
func newToken(t testing.TB) (token, id, secret string) {
	t.Helper()
	token, err := bootstraputil.GenerateBootstrapToken()
	if err != nil {
		t.Fatal(err)
	}
	id, secret, _ = strings.Cut(token, ".")
	return token, id, secret
}

// initConfig is the configuration file every init of the suite uses, so
// kadm and kubeadm, whole and phase by phase, start from the same input.
func initConfig(h *framework.Host, token string) string {
	return fmt.Sprintf(`apiVersion: kubeadm.k8s.io/v1beta4
kind: InitConfiguration
bootstrapTokens:
- token: %q
localAPIEndpoint:
  advertiseAddress: %s
  bindPort: 6443
nodeRegistration:
  name: %s
---
apiVersion: kubeadm.k8s.io/v1beta4
kind: ClusterConfiguration
kubernetesVersion: %s
`, token, h.IP, h.Name, framework.KubernetesVersion)
}

// writeInitConfig writes initConfig where commands in the host can read it.
func writeInitConfig(t *testing.T, h *framework.Host, token string) string {
	t.Helper()
	path := h.Dir + "/init.yaml"
	writeFile(t, path, initConfig(h, token))
	return path
}

// mustRun runs a command in the host and returns its output, logged; a
// failure ends the test with the output.
func mustRun(t testing.TB, ctx context.Context, h *framework.Host, name string, args ...string) string {
	t.Helper()
	out, err := h.Run(ctx, name, args...)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s %s:\n%s", name, strings.Join(args, " "), out)
	return out
}

// adminClient is a client with the host's admin.conf, used from the test
// machine over the host's address.
func adminClient(t testing.TB, h *framework.Host) kubernetes.Interface {
	t.Helper()
	cfg, err := clientcmd.BuildConfigFromFlags("", h.Path("/etc/kubernetes/admin.conf"))
	if err != nil {
		t.Fatalf("load admin.conf: %v", err)
	}
	cfg.Timeout = 15 * time.Second
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return client
}

// verifyControlPlane checks what issue #3 accepts an init by: /readyz over
// TLS verified by the cluster CA, a working admin.conf, the Node registered,
// Ready, labelled and tainted as a control plane, cluster-info readable
// anonymously and signed for the bootstrap token by the controller-manager,
// and the control plane running as static Pods under the real kubelet.
func verifyControlPlane(t *testing.T, ctx context.Context, h *framework.Host, token string) kubernetes.Interface {
	t.Helper()
	t.Run("readyz over TLS verified by the cluster CA", func(t *testing.T) { waitReadyz(t, ctx, h) })
	client := adminClient(t, h)
	t.Run("admin.conf lists the nodes", func(t *testing.T) {
		nodes, err := client.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, n := range nodes.Items {
			names = append(names, n.Name)
		}
		if !slices.Contains(names, h.Name) {
			t.Errorf("nodes %q lack %s", names, h.Name)
		}
	})
	t.Run("the node is Ready, labelled and tainted as a control plane", func(t *testing.T) {
		waitNode(t, ctx, client, h.Name, checkControlPlaneNode)
	})
	t.Run("cluster-info is signed for the bootstrap token", func(t *testing.T) { waitClusterInfoSigned(t, ctx, h, token) })
	t.Run("the kubelet runs the control plane as static Pods in containerd", func(t *testing.T) { waitStaticPods(t, ctx, client, h) })
	return client
}

func readCA(t testing.TB, h *framework.Host) []byte {
	t.Helper()
	caPEM, err := os.ReadFile(h.Path("/etc/kubernetes/pki/ca.crt"))
	if err != nil {
		t.Fatal(err)
	}
	return caPEM
}

// waitReadyz waits for the API server's /readyz over TLS verified by the
// cluster CA.
func waitReadyz(t testing.TB, ctx context.Context, h *framework.Host) {
	t.Helper()
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(readCA(t, h)) {
		t.Fatal("ca.crt holds no certificate")
	}
	url := "https://" + h.IP.String() + ":6443/readyz"
	hc := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}}
	err := framework.WaitFor(ctx, 2*time.Minute, time.Second, url, func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		resp, err := hc.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK || string(b) != "ok" {
			return fmt.Errorf("%s: %s", resp.Status, b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// waitNode waits until the named Node passes check.
func waitNode(t testing.TB, ctx context.Context, client kubernetes.Interface, name string, check func(*corev1.Node) error) {
	t.Helper()
	err := framework.WaitFor(ctx, 2*time.Minute, time.Second, "node "+name, func(ctx context.Context) error {
		node, err := client.CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		return check(node)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// waitClusterInfoSigned waits until an anonymous client reads cluster-info
// with a JWS signature for the token that verifies with the token's secret.
func waitClusterInfoSigned(t testing.TB, ctx context.Context, h *framework.Host, token string) {
	t.Helper()
	id, secret, _ := strings.Cut(token, ".")
	anon, err := kubernetes.NewForConfig(&rest.Config{
		Host: "https://" + h.IP.String() + ":6443", Timeout: 15 * time.Second,
		TLSClientConfig: rest.TLSClientConfig{CAData: readCA(t, h)},
	})
	if err != nil {
		t.Fatal(err)
	}
	err = framework.WaitFor(ctx, 2*time.Minute, time.Second, "a JWS signature for token "+id+" in cluster-info", func(ctx context.Context) error {
		cm, err := anon.CoreV1().ConfigMaps(metav1.NamespacePublic).Get(ctx, bootstrapapi.ConfigMapClusterInfo, metav1.GetOptions{})
		if err != nil {
			return fmt.Errorf("anonymous read: %w", err)
		}
		sig, ok := cm.Data[bootstrapapi.JWSSignatureKeyPrefix+id]
		if !ok {
			return fmt.Errorf("no %s%s key yet", bootstrapapi.JWSSignatureKeyPrefix, id)
		}
		if !jws.DetachedTokenIsValid(sig, cm.Data[bootstrapapi.KubeConfigKey], id, secret) {
			return framework.Permanent(errors.New("the signature does not verify with the token"))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func nodeReady(node *corev1.Node) error {
	for _, c := range node.Status.Conditions {
		if c.Type == corev1.NodeReady && c.Status == corev1.ConditionTrue {
			return nil
		}
	}
	return errors.New("not Ready")
}

func checkControlPlaneNode(node *corev1.Node) error {
	if err := nodeReady(node); err != nil {
		return err
	}
	for _, l := range controlPlaneLabels {
		if _, ok := node.Labels[l]; !ok {
			return fmt.Errorf("no label %s (labels %v)", l, node.Labels)
		}
	}
	for _, taint := range node.Spec.Taints {
		if taint.Key == controlPlaneTaint && taint.Effect == corev1.TaintEffectNoSchedule {
			return nil
		}
	}
	return fmt.Errorf("no taint %s:NoSchedule (taints %v)", controlPlaneTaint, node.Spec.Taints)
}

// controlPlanePods are the static Pods of a stacked control-plane node.
var controlPlanePods = []string{"etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"}

// waitStaticPods waits until the node's kubelet runs every control-plane
// static Pod in containerd and reports it through its mirror Pod: Running,
// Ready, its container a containerd one.
func waitStaticPods(t testing.TB, ctx context.Context, client kubernetes.Interface, h *framework.Host) {
	t.Helper()
	err := framework.WaitFor(ctx, 2*time.Minute, time.Second, "the control plane's mirror Pods on "+h.Name, func(ctx context.Context) error {
		for _, name := range controlPlanePods {
			pod, err := client.CoreV1().Pods(metav1.NamespaceSystem).Get(ctx, name+"-"+h.Name, metav1.GetOptions{})
			if err != nil {
				return err
			}
			if err := podRunningReady(pod); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// podRunningReady checks that a Pod runs, is Ready, and that containerd runs its
// containers.
func podRunningReady(pod *corev1.Pod) error {
	if pod.Status.Phase != corev1.PodRunning {
		return fmt.Errorf("pod %s is %s", pod.Name, pod.Status.Phase)
	}
	ready := false
	for _, c := range pod.Status.Conditions {
		if c.Type == corev1.PodReady && c.Status == corev1.ConditionTrue {
			ready = true
		}
	}
	if !ready {
		return fmt.Errorf("pod %s is not Ready", pod.Name)
	}
	for _, c := range pod.Status.ContainerStatuses {
		if !strings.HasPrefix(c.ContainerID, "containerd://") {
			return fmt.Errorf("pod %s: container %s has ID %q, not a containerd one", pod.Name, c.Name, c.ContainerID)
		}
	}
	return nil
}
