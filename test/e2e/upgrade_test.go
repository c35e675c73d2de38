//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/kadm-project/kadm/test/e2e/framework"
)

// upgradeKubeletSetting is a kubelet setting the cluster starts with that is not the
// default: an upgrade must keep the cluster's kubelet configuration, not reset it. It
// keeps the kubelet from collecting the unused images of the next release (and the pause
// image, which containerd 1.6 does not report as pinned) before the upgrade uses them, on
// a machine whose disk may be past the default thresholds; nothing can be pulled.
const upgradeKubeletSetting = "imageGCHighThresholdPercent: 100"

// upgradeKubeletEviction turns the kubelet's disk-pressure eviction, which deletes unused
// images too, down to what no test machine reaches.
const upgradeKubeletEviction = `evictionHard:
  imagefs.available: 1%
  nodefs.available: 1%`

// upgradeKubeProxySetting keeps kube-proxy from writing the machine-wide conntrack limit
// (kube-proxy v1.36 tries even when the machine's is higher, and crash-loops when it may
// not); the upgrade must keep it in the cluster's kube-proxy configuration.
const upgradeKubeProxySetting = "maxPerCore: 0"

// TestUpgrade is issue #16's acceptance on real kubelets: a v1.36 cluster made by
// upstream kubeadm v1.36.3 (kadm when that binary is not built) — two control-plane nodes
// with stacked etcd and a worker running a test Deployment — is planned and upgraded to
// v1.37.2 by kadm: upgrade apply on the first control-plane node (static Pods on the new
// images and healthy, kubeadm-config at the new version, the previous manifests and etcd's
// data backed up, the cluster's kubelet and kube-proxy configuration kept), upgrade node
// on the others with their kubelets replaced by v1.37.2 as an operator does; afterwards
// every Node runs kubelet v1.37.2, etcd is healthy with both members at the new version,
// kube-proxy and CoreDNS run the new images and a Pod resolves and reaches the API server
// through them, and the Deployment had a running Pod at every look throughout. A second
// apply resumes as a no-op; plan says the cluster is up to date; a patch that breaks
// kube-scheduler is rolled back to the backed-up manifest, which the error names.
func TestUpgrade(t *testing.T) {
	framework.RequireRoot(t)
	requireKadm(t)
	t.Parallel()
	prev := framework.PreviousBinDir()
	if err := framework.CheckComponents(prev, "kubelet", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "etcd", "kube-proxy", "coredns"); err != nil {
		t.Fatalf("the previous release: %v (hack/e2e.sh builds it with KADM_E2E_TOOLS=test/e2e/tools/previous)", err)
	}
	reserveNodes(t, 2, 1)
	ctx := testContext(t, 30*time.Minute)
	images, err := framework.BuildReleaseImages(ctx, prev, framework.PreviousKubernetesVersion, suite.lab.BinDir)
	if err != nil {
		t.Fatalf("pack the %s images: %v", framework.PreviousKubernetesVersion, err)
	}
	cp1 := framework.NewHost(t, suite.lab, "upg-cp1")
	cp2 := framework.NewHost(t, suite.lab, "upg-cp2")
	w1 := framework.NewHost(t, suite.lab, "upg-w1")
	hosts := []*framework.Host{cp1, cp2, w1}
	for _, h := range hosts {
		mustRun(t, ctx, h, "ctr", "--namespace=k8s.io", "images", "import", images)
		installKubelet(t, ctx, h, filepath.Join(prev, "kubelet"))
	}

	maker := filepath.Join(prev, "kubeadm")
	if framework.CheckComponents(prev, "kubeadm") != nil {
		t.Logf("no upstream kubeadm %s in %s: the cluster is made by kadm", framework.PreviousKubernetesVersion, prev)
		maker = "kadm"
	}
	token, _, _ := newToken(t)
	key := randomHex(t, 32)
	endpoint := cp1.IP.String() + ":6443"
	cfg := cp1.Dir + "/init-previous.yaml"
	writeFile(t, cfg, previousInitConfig(cp1, token, key, endpoint))
	mustRun(t, ctx, cp1, maker, append([]string{"init", "--config", cfg, "--upload-certs"}, preflightFlags(t)...)...)
	waitReadyz(t, ctx, cp1)
	client := adminClient(t, cp1)
	waitClusterInfoSigned(t, ctx, cp1, token)
	join := []string{"join", endpoint, "--token", token, "--discovery-token-ca-cert-hash", caCertHash(t, cp1)}
	mustRun(t, ctx, cp2, maker, slices.Concat(join, []string{"--control-plane", "--certificate-key", key}, preflightFlags(t))...)
	mustRun(t, ctx, w1, maker, slices.Concat(join, preflightFlags(t))...)
	prevImages := releaseImages(t, ctx, filepath.Join(prev, "kubeadm"), framework.PreviousKubernetesVersion)
	for _, h := range hosts {
		waitNode(t, ctx, client, h.Name, kubeletVersion(framework.PreviousKubernetesVersion))
	}
	for _, h := range []*framework.Host{cp1, cp2} {
		waitControlPlaneImages(t, ctx, client, h, prevImages)
	}
	canary := startCanary(t, ctx, client, cp1, []*framework.Host{cp1, cp2})
	images37 := releaseImages(t, ctx, filepath.Join(suite.lab.BinDir, "kubeadm"), framework.KubernetesVersion)

	steps := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"plan offers " + framework.KubernetesVersion, func(t *testing.T) {
			out := mustRun(t, ctx, cp1, "kadm", "upgrade", "plan")
			mustContain(t, out, "kadm upgrade apply "+framework.KubernetesVersion)
		}},
		{"apply upgrades the first control plane", func(t *testing.T) {
			start := time.Now()
			out := mustRun(t, ctx, cp1, "kadm", append([]string{"upgrade", "apply", framework.KubernetesVersion, "--yes"}, preflightFlags(t)...)...)
			t.Logf("kadm upgrade apply took %s", time.Since(start).Round(time.Second))
			waitControlPlaneImages(t, ctx, client, cp1, images37)
			// The addons wait for the last control plane, as kubeadm's do.
			mustContain(t, out, "Skipping upgrade of addons because control plane instances ["+cp2.Name+"] have not been upgraded")
			checkUpgraded(t, ctx, client, cp1, prevImages)
		}},
		{"the first control plane's kubelet", func(t *testing.T) {
			installKubelet(t, ctx, cp1, filepath.Join(suite.lab.BinDir, "kubelet"))
			mustRun(t, ctx, cp1, "kadm", append([]string{"upgrade", "node"}, preflightFlags(t)...)...)
			mustRun(t, ctx, cp1, "systemctl", "restart", "kubelet")
			waitNode(t, ctx, client, cp1.Name, kubeletVersion(framework.KubernetesVersion))
			checkKubeletConfigKept(t, ctx, client, cp1)
		}},
		{"node upgrades the second control plane", func(t *testing.T) {
			start := time.Now()
			mustRun(t, ctx, cp2, "kadm", append([]string{"upgrade", "node"}, preflightFlags(t)...)...)
			t.Logf("kadm upgrade node took %s", time.Since(start).Round(time.Second))
			waitControlPlaneImages(t, ctx, client, cp2, images37)
			installKubelet(t, ctx, cp2, filepath.Join(suite.lab.BinDir, "kubelet"))
			waitNode(t, ctx, client, cp2.Name, kubeletVersion(framework.KubernetesVersion))
			checkKubeletConfigKept(t, ctx, client, cp2)
		}},
		{"node upgrades the worker", func(t *testing.T) {
			mustRun(t, ctx, w1, "kadm", append([]string{"upgrade", "node"}, preflightFlags(t)...)...)
			installKubelet(t, ctx, w1, filepath.Join(suite.lab.BinDir, "kubelet"))
			waitNode(t, ctx, client, w1.Name, kubeletVersion(framework.KubernetesVersion))
			checkKubeletConfigKept(t, ctx, client, w1)
		}},
		{"the cluster runs " + framework.KubernetesVersion, func(t *testing.T) {
			for _, h := range hosts {
				waitNode(t, ctx, client, h.Name, kubeletVersion(framework.KubernetesVersion))
			}
			checkEtcdMembers(t, ctx, cp1, []*framework.Host{cp1, cp2})
			checkEtcdHealthy(t, ctx, []*framework.Host{cp1, cp2}, filepath.Join(suite.lab.BinDir, "etcd"))
			waitKubeProxy(t, ctx, client, hosts, images37["kube-proxy"])
			waitCoreDNS(t, ctx, client, images37["coredns"])
			testServiceProbe(t, ctx, client, w1)
		}},
		{"the Deployment kept a running Pod throughout", func(t *testing.T) { canary.check(t) }},
		{"a second apply is a no-op", func(t *testing.T) {
			mustRun(t, ctx, cp1, "kadm", append([]string{"upgrade", "apply", framework.KubernetesVersion, "--yes"}, preflightFlags(t)...)...)
			waitControlPlaneImages(t, ctx, client, cp1, images37)
			checkUpgraded(t, ctx, client, cp1, images37)
		}},
		{"plan says up to date", func(t *testing.T) {
			out := mustRun(t, ctx, cp1, "kadm", "upgrade", "plan")
			mustContain(t, out, "Awesome, you're up-to-date! Enjoy!")
		}},
		{"a broken kube-scheduler is rolled back", func(t *testing.T) { checkSchedulerRollback(t, ctx, client, cp1) }},
	}
	for _, s := range steps {
		if !t.Run(s.name, s.run) {
			return
		}
	}
}

// previousInitConfig is the v1.36 cluster's configuration, its control-plane endpoint at
// the first node, with the kubelet and kube-proxy settings the upgrade must keep.
func previousInitConfig(h *framework.Host, token, certificateKey, endpoint string) string {
	return fmt.Sprintf(`apiVersion: kubeadm.k8s.io/v1beta4
kind: InitConfiguration
bootstrapTokens:
- token: %q
certificateKey: %q
localAPIEndpoint:
  advertiseAddress: %s
  bindPort: 6443
nodeRegistration:
  name: %s
---
apiVersion: kubeadm.k8s.io/v1beta4
kind: ClusterConfiguration
kubernetesVersion: %s
controlPlaneEndpoint: %q
---
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
%s
%s
---
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
conntrack:
  %s
`, token, certificateKey, h.IP, h.Name, framework.PreviousKubernetesVersion, endpoint,
		upgradeKubeletSetting, upgradeKubeletEviction, upgradeKubeProxySetting)
}

// canaryName is the test Deployment the upgrade must never leave without a running Pod.
const canaryName = "upgrade-canary"

// canary watches the test Deployment's Pods while the cluster is upgraded.
type canary struct {
	stop     context.CancelFunc
	done     chan struct{}
	looks    int      // answers counted
	missed   int      // looks no API server answered
	empty    []string // when a look found no running Pod
	notReady []string // when a look found Pods running but none Ready
	lastErr  error
}

// startCanary runs a Deployment of two pause Pods and, until check, looks every quarter
// second at how many of them run, asking each control-plane node's API server in
// turn, so that the one being upgraded does not blind the watch.
func startCanary(t *testing.T, ctx context.Context, client kubernetes.Interface, cp *framework.Host, servers []*framework.Host) *canary {
	t.Helper()
	replicas := int32(2)
	labels := map[string]string{"app": canaryName}
	dep := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: canaryName, Namespace: metav1.NamespaceDefault},
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{
					Name: "pause", Image: framework.PauseImage, ImagePullPolicy: corev1.PullNever,
				}}},
			},
		},
	}
	deployments := client.AppsV1().Deployments(metav1.NamespaceDefault)
	if _, err := deployments.Create(ctx, dep, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	err := framework.WaitFor(ctx, 2*time.Minute, time.Second, "the canary Deployment available", func(ctx context.Context) error {
		d, err := deployments.Get(ctx, canaryName, metav1.GetOptions{})
		if err != nil {
			return err
		}
		if d.Status.AvailableReplicas != replicas {
			return fmt.Errorf("%d of %d Pods available", d.Status.AvailableReplicas, replicas)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var clients []kubernetes.Interface
	for _, s := range servers {
		cfg, err := clientcmd.BuildConfigFromFlags("", cp.Path("/etc/kubernetes/admin.conf"))
		if err != nil {
			t.Fatal(err)
		}
		cfg.Host = "https://" + net.JoinHostPort(s.IP.String(), "6443")
		cfg.Timeout = 2 * time.Second
		c, err := kubernetes.NewForConfig(cfg)
		if err != nil {
			t.Fatal(err)
		}
		clients = append(clients, c)
	}
	watchCtx, stop := context.WithCancel(ctx)
	c := &canary{stop: stop, done: make(chan struct{})}
	go func() {
		defer close(c.done)
		tick := time.NewTicker(250 * time.Millisecond)
		defer tick.Stop()
		for {
			running, ready, err := c.countPods(watchCtx, clients)
			switch {
			case watchCtx.Err() != nil:
				return
			case err != nil:
				c.missed++
				c.lastErr = err
			default:
				c.looks++
				now := time.Now().Format(time.RFC3339Nano)
				switch {
				case running == 0:
					c.empty = append(c.empty, now)
				case ready == 0:
					c.notReady = append(c.notReady, now)
				}
			}
			select {
			case <-watchCtx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	t.Cleanup(func() {
		stop()
		<-c.done
	})
	return c
}

// countPods counts, as the first API server that answers lists them, the canary's Pods
// whose container runs, and those of them that are Ready.
func (c *canary) countPods(ctx context.Context, clients []kubernetes.Interface) (running, ready int, err error) {
	for _, client := range clients {
		var pods *corev1.PodList
		pods, err = client.CoreV1().Pods(metav1.NamespaceDefault).List(ctx, metav1.ListOptions{LabelSelector: "app=" + canaryName})
		if err != nil {
			continue
		}
		for i := range pods.Items {
			p := &pods.Items[i]
			if p.Status.Phase != corev1.PodRunning || len(p.Status.ContainerStatuses) == 0 || p.Status.ContainerStatuses[0].State.Running == nil {
				continue
			}
			running++
			if podRunningReady(p) == nil {
				ready++
			}
		}
		return running, ready, nil
	}
	return 0, 0, err
}

// check stops the watch and fails the test if a look found no running Pod, or if the
// watch saw too little to tell. Looks that found the Pods running but none Ready are
// only reported: with two etcd members, the one being replaced takes the quorum with it,
// the kubelets cannot renew their Node leases meanwhile, and the node lifecycle
// controller may mark the Pods not Ready although they run on.
func (c *canary) check(t *testing.T) {
	t.Helper()
	c.stop()
	<-c.done
	t.Logf("the canary was looked at %d times (%d times no API server answered, last: %v)", c.looks, c.missed, c.lastErr)
	if c.looks < 100 {
		t.Errorf("only %d looks at the canary answered: too few to tell it never lost all its Pods", c.looks)
	}
	if len(c.notReady) > 0 {
		t.Logf("the canary's Pods ran but none was Ready at %d looks, first at %s", len(c.notReady), c.notReady[0])
	}
	if len(c.empty) > 0 {
		t.Errorf("the canary Deployment had no running Pod at %d looks, first at %s", len(c.empty), c.empty[0])
	}
}

// checkEtcdHealthy checks that each host's etcd member answers its status, with no
// alarm or error, at the version of the etcd binary the lab packed into the release's
// etcd image (whose tag is the one kubeadm names, not necessarily the binary's version).
func checkEtcdHealthy(t *testing.T, ctx context.Context, hosts []*framework.Host, etcdBinary string) {
	t.Helper()
	out, err := exec.CommandContext(ctx, etcdBinary, "--version").Output()
	if err != nil {
		t.Fatalf("%s --version: %v", etcdBinary, err)
	}
	_, want, ok := strings.Cut(strings.SplitN(string(out), "\n", 2)[0], "etcd Version: ")
	if !ok {
		t.Fatalf("%s --version printed no version: %q", etcdBinary, out)
	}
	for _, h := range hosts {
		cli := etcdClient(t, h)
		defer cli.Close()
		ep := "https://" + net.JoinHostPort(h.IP.String(), "2379")
		err := framework.WaitFor(ctx, time.Minute, time.Second, "etcd on "+h.Name+" healthy at "+want, func(ctx context.Context) error {
			ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			defer cancel()
			st, err := cli.Status(ctx, ep)
			if err != nil {
				return err
			}
			if len(st.Errors) > 0 {
				return fmt.Errorf("etcd on %s reports %q", h.Name, st.Errors)
			}
			if st.Version != want {
				return fmt.Errorf("etcd on %s is at %s", h.Name, st.Version)
			}
			return nil
		})
		if err != nil {
			t.Error(err)
		}
	}
}

// installKubelet replaces the host's kubelet binary and restarts the kubelet on it.
func installKubelet(t *testing.T, ctx context.Context, h *framework.Host, kubelet string) {
	t.Helper()
	if err := h.SetKubelet(kubelet); err != nil {
		t.Fatal(err)
	}
	mustRun(t, ctx, h, "systemctl", "restart", "kubelet")
}

// releaseImages maps each image name (kube-apiserver, etcd, ...) to the reference upstream
// kubeadm lists for version.
func releaseImages(t *testing.T, ctx context.Context, kubeadm, version string) map[string]string {
	t.Helper()
	out, err := exec.CommandContext(ctx, kubeadm, "config", "images", "list", "--kubernetes-version", version).Output()
	if err != nil {
		t.Fatalf("%s config images list: %v", kubeadm, err)
	}
	images := map[string]string{}
	for _, ref := range strings.Fields(string(out)) {
		name, _, _ := strings.Cut(ref[strings.LastIndex(ref, "/")+1:], ":")
		images[name] = ref
	}
	return images
}

// waitControlPlaneImages waits until every control-plane static Pod of the host runs,
// Ready, on the image images names for it, as its mirror Pod reports.
func waitControlPlaneImages(t *testing.T, ctx context.Context, client kubernetes.Interface, h *framework.Host, images map[string]string) {
	t.Helper()
	err := framework.WaitFor(ctx, 3*time.Minute, time.Second, "the control plane on "+h.Name+" running "+images["kube-apiserver"], func(ctx context.Context) error {
		for _, name := range controlPlanePods {
			pod, err := client.CoreV1().Pods(metav1.NamespaceSystem).Get(ctx, name+"-"+h.Name, metav1.GetOptions{})
			if err != nil {
				return err
			}
			if err := podRunningReady(pod); err != nil {
				return err
			}
			if got := pod.Spec.Containers[0].Image; got != images[name] {
				return fmt.Errorf("pod %s has image %s, want %s", pod.Name, got, images[name])
			}
			for _, c := range pod.Status.ContainerStatuses {
				if c.Image != images[name] {
					return fmt.Errorf("pod %s runs image %s, want %s", pod.Name, c.Image, images[name])
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// kubeletVersion checks that a Node is Ready on a kubelet of version.
func kubeletVersion(version string) func(*corev1.Node) error {
	return func(n *corev1.Node) error {
		if got := n.Status.NodeInfo.KubeletVersion; got != version {
			return fmt.Errorf("kubelet %s, want %s", got, version)
		}
		return nodeReady(n)
	}
}

// checkUpgraded checks what an apply to KubernetesVersion leaves besides the Pods:
// kubeadm-config at the new version, the previous manifests and etcd's data backed up,
// the cluster's kubelet and kube-proxy configuration kept, the addons on the images
// addonImages names.
func checkUpgraded(t *testing.T, ctx context.Context, client kubernetes.Interface, h *framework.Host, addonImages map[string]string) {
	t.Helper()
	cm, err := client.CoreV1().ConfigMaps(metav1.NamespaceSystem).Get(ctx, "kubeadm-config", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, cm.Data["ClusterConfiguration"], "kubernetesVersion: "+framework.KubernetesVersion)
	backups, _ := filepath.Glob(h.Path("/etc/kubernetes/tmp/kubeadm-backup-manifests-*/kube-apiserver.yaml"))
	found := false
	for _, b := range backups {
		data, err := os.ReadFile(b)
		if err != nil {
			t.Fatal(err)
		}
		found = found || strings.Contains(string(data), "kube-apiserver:"+framework.PreviousKubernetesVersion)
	}
	if !found {
		t.Errorf("no backed-up kube-apiserver manifest of %s among %q", framework.PreviousKubernetesVersion, backups)
	}
	if etcd, _ := filepath.Glob(h.Path("/etc/kubernetes/tmp/kubeadm-backup-etcd-*/etcd/member")); len(etcd) == 0 {
		t.Errorf("no backup of etcd's data directory in /etc/kubernetes/tmp/kubeadm-backup-etcd-*/etcd")
	}
	checkKubeletConfigKept(t, ctx, client, h)
	proxy, err := client.CoreV1().ConfigMaps(metav1.NamespaceSystem).Get(ctx, "kube-proxy", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, proxy.Data["config.conf"], upgradeKubeProxySetting)
	images := addonImages
	ds, err := client.AppsV1().DaemonSets(metav1.NamespaceSystem).Get(ctx, "kube-proxy", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := ds.Spec.Template.Spec.Containers[0].Image; got != images["kube-proxy"] {
		t.Errorf("kube-proxy's DaemonSet has image %s, want %s", got, images["kube-proxy"])
	}
	dns, err := client.AppsV1().Deployments(metav1.NamespaceSystem).Get(ctx, "coredns", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := dns.Spec.Template.Spec.Containers[0].Image; got != images["coredns"] {
		t.Errorf("CoreDNS's Deployment has image %s, want %s", got, images["coredns"])
	}
}

// checkKubeletConfigKept checks that the cluster's kubelet configuration and the node's
// still carry the setting the cluster was made with.
func checkKubeletConfigKept(t *testing.T, ctx context.Context, client kubernetes.Interface, h *framework.Host) {
	t.Helper()
	cm, err := client.CoreV1().ConfigMaps(metav1.NamespaceSystem).Get(ctx, "kubelet-config", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, cm.Data["kubelet"], upgradeKubeletSetting)
	local, err := h.ReadFile("/var/lib/kubelet/config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, string(local), upgradeKubeletSetting)
}

// backedUpAt is the backup path kadm names when it rolls a component back.
var backedUpAt = regexp.MustCompile(`rolling back to the manifest backed up at "([^"]+)"`)

// checkSchedulerRollback applies a patch that makes kube-scheduler exit at start: kadm
// must restore the previous manifest from its backup, name the backup in its error, and
// the kubelet run the old scheduler again.
func checkSchedulerRollback(t *testing.T, ctx context.Context, client kubernetes.Interface, h *framework.Host) {
	t.Helper()
	const manifest = "/etc/kubernetes/manifests/kube-scheduler.yaml"
	before, err := h.ReadFile(manifest)
	if err != nil {
		t.Fatal(err)
	}
	patches := h.Dir + "/patches"
	writeFile(t, patches+"/kube-scheduler+json.json", `[{"op": "add", "path": "/spec/containers/0/command/-", "value": "--kadm-e2e-no-such-flag"}]`)
	cfg := h.Dir + "/upgrade.yaml"
	writeFile(t, cfg, "apiVersion: kubeadm.k8s.io/v1beta4\nkind: UpgradeConfiguration\ntimeouts:\n  upgradeManifests: 1m\n")
	args := append([]string{"upgrade", "apply", framework.KubernetesVersion, "--yes", "--config", cfg, "--patches", patches,
		"--certificate-renewal=false", "--etcd-upgrade=false"}, preflightFlags(t)...)
	out, err := h.Run(ctx, "kadm", args...)
	t.Logf("kadm %s:\n%s", strings.Join(args, " "), out)
	if err == nil {
		t.Fatal("the apply with a broken kube-scheduler succeeded")
	}
	m := backedUpAt.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("kadm did not say it rolled kube-scheduler back")
	}
	backup := m[1]
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if last := lines[len(lines)-1]; !strings.Contains(last, backup) {
		t.Errorf("the error %q does not name the backup %s", last, backup)
	}
	saved, err := h.ReadFile(backup)
	if err != nil {
		t.Fatalf("the backup kadm names: %v", err)
	}
	now, err := h.ReadFile(manifest)
	if err != nil {
		t.Fatal(err)
	}
	if string(now) != string(before) || string(saved) != string(before) {
		t.Errorf("the scheduler's manifest is not the one before the apply, from the backup:\nbefore:\n%s\nbackup:\n%s\nnow:\n%s", before, saved, now)
	}
	waitControlPlaneImages(t, ctx, client, h, releaseImages(t, ctx, filepath.Join(suite.lab.BinDir, "kubeadm"), framework.KubernetesVersion))
}

// mustContain fails the test when s lacks want.
func mustContain(t *testing.T, s, want string) {
	t.Helper()
	if !strings.Contains(s, want) {
		t.Errorf("want %q in:\n%s", want, s)
	}
}
