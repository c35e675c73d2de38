//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

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

// TestUpgrade is issue #16's acceptance on a real kubelet: a v1.36 control plane made by
// upstream kubeadm v1.36.3 (kadm init when that binary is not built) is planned and
// upgraded to v1.37.2 by kadm upgrade apply — static Pods on the new images and healthy,
// kubeadm-config at the new version, the previous manifests and etcd's data backed up, the
// cluster's kubelet configuration kept — then, with the host's kubelet replaced by
// v1.37.2, kadm upgrade node and a kubelet restart leave the Node Ready on kubelet
// v1.37.2; a second apply resumes as a no-op; plan says the cluster is up to date; a
// patch that breaks kube-scheduler is rolled back to the backed-up manifest, which the
// error names.
func TestUpgrade(t *testing.T) {
	framework.RequireRoot(t)
	requireKadm(t)
	t.Parallel()
	prev := framework.PreviousBinDir()
	if err := framework.CheckComponents(prev, "kubelet", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "etcd", "kube-proxy", "coredns"); err != nil {
		t.Fatalf("the previous release: %v (hack/e2e.sh builds it with KADM_E2E_TOOLS=test/e2e/tools/previous)", err)
	}
	reserveNodes(t, 1, 0)
	ctx := testContext(t, 30*time.Minute)
	images, err := framework.BuildReleaseImages(ctx, prev, framework.PreviousKubernetesVersion, suite.lab.BinDir)
	if err != nil {
		t.Fatalf("pack the %s images: %v", framework.PreviousKubernetesVersion, err)
	}
	h := framework.NewHost(t, suite.lab, "upgrade")
	mustRun(t, ctx, h, "ctr", "--namespace=k8s.io", "images", "import", images)
	installKubelet(t, ctx, h, filepath.Join(prev, "kubelet"))

	token, _, _ := newToken(t)
	cfg := h.Dir + "/init-previous.yaml"
	writeFile(t, cfg, previousInitConfig(h, token))
	if framework.CheckComponents(prev, "kubeadm") == nil {
		mustRun(t, ctx, h, filepath.Join(prev, "kubeadm"), append([]string{"init", "--config", cfg}, preflightFlags(t)...)...)
	} else {
		t.Logf("no upstream kubeadm %s in %s: the cluster is made by kadm init", framework.PreviousKubernetesVersion, prev)
		mustRun(t, ctx, h, "kadm", append([]string{"init", "--config", cfg}, preflightFlags(t)...)...)
	}
	waitReadyz(t, ctx, h)
	client := adminClient(t, h)
	prevImages := releaseImages(t, ctx, filepath.Join(prev, "kubeadm"), framework.PreviousKubernetesVersion)
	waitControlPlaneImages(t, ctx, client, h, prevImages)
	waitNode(t, ctx, client, h.Name, kubeletVersion(framework.PreviousKubernetesVersion))

	steps := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"plan offers " + framework.KubernetesVersion, func(t *testing.T) {
			out := mustRun(t, ctx, h, "kadm", "upgrade", "plan")
			mustContain(t, out, "kadm upgrade apply "+framework.KubernetesVersion)
		}},
		{"apply upgrades the control plane", func(t *testing.T) {
			start := time.Now()
			mustRun(t, ctx, h, "kadm", append([]string{"upgrade", "apply", framework.KubernetesVersion, "--yes"}, preflightFlags(t)...)...)
			t.Logf("kadm upgrade apply took %s", time.Since(start).Round(time.Second))
			waitControlPlaneImages(t, ctx, client, h, releaseImages(t, ctx, filepath.Join(suite.lab.BinDir, "kubeadm"), framework.KubernetesVersion))
			checkUpgraded(t, ctx, client, h)
		}},
		{"node upgrades the kubelet", func(t *testing.T) {
			installKubelet(t, ctx, h, filepath.Join(suite.lab.BinDir, "kubelet"))
			mustRun(t, ctx, h, "kadm", append([]string{"upgrade", "node"}, preflightFlags(t)...)...)
			mustRun(t, ctx, h, "systemctl", "restart", "kubelet")
			waitNode(t, ctx, client, h.Name, kubeletVersion(framework.KubernetesVersion))
			checkKubeletConfigKept(t, ctx, client, h)
		}},
		{"a second apply is a no-op", func(t *testing.T) {
			mustRun(t, ctx, h, "kadm", append([]string{"upgrade", "apply", framework.KubernetesVersion, "--yes"}, preflightFlags(t)...)...)
			waitControlPlaneImages(t, ctx, client, h, releaseImages(t, ctx, filepath.Join(suite.lab.BinDir, "kubeadm"), framework.KubernetesVersion))
			checkUpgraded(t, ctx, client, h)
		}},
		{"plan says up to date", func(t *testing.T) {
			out := mustRun(t, ctx, h, "kadm", "upgrade", "plan")
			mustContain(t, out, "Awesome, you're up-to-date! Enjoy!")
		}},
		{"a broken kube-scheduler is rolled back", func(t *testing.T) { checkSchedulerRollback(t, ctx, client, h) }},
	}
	for _, s := range steps {
		if !t.Run(s.name, s.run) {
			return
		}
	}
}

// previousInitConfig is the v1.36 cluster's configuration, with the kubelet and
// kube-proxy settings the upgrade must keep.
func previousInitConfig(h *framework.Host, token string) string {
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
`, token, h.IP, h.Name, framework.PreviousKubernetesVersion,
		upgradeKubeletSetting, upgradeKubeletEviction, upgradeKubeProxySetting)
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
// the cluster's kubelet and kube-proxy configuration kept, the addons on the new images.
func checkUpgraded(t *testing.T, ctx context.Context, client kubernetes.Interface, h *framework.Host) {
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
	images := releaseImages(t, ctx, filepath.Join(suite.lab.BinDir, "kubeadm"), framework.KubernetesVersion)
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
