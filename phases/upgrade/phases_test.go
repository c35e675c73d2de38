package upgradephases

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	"sigs.k8s.io/yaml"

	"github.com/kadm-project/kadm/cluster/addons"
	"github.com/kadm-project/kadm/cluster/clusterconfig"
	"github.com/kadm-project/kadm/cluster/kube/kubefake"
	"github.com/kadm-project/kadm/node/kubelet"
	"github.com/kadm-project/kadm/phases"
	"github.com/kadm-project/kadm/phases/workflow"
)

func kubeletConfigMap(doc string, signed bool) *corev1.ConfigMap {
	cm := &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: clusterconfig.KubeletConfigMap, Namespace: metav1.NamespaceSystem},
		Data:       map[string]string{clusterconfig.KubeletConfigKey: doc},
	}
	if signed {
		clusterconfig.Sign(cm)
	}
	return cm
}

const userKubelet = "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nmaxPods: 42\ncgroupDriver: cgroupfs\n"

// TestUploadKubeletConfigKeepsTheUsersValues: the values a user set in kubelet-config
// survive the upgrade (kubernetes/kubeadm#3049), and a user's ConfigMap stays unsigned.
func TestUploadKubeletConfigKeepsTheUsersValues(t *testing.T) {
	t.Parallel()
	for _, signed := range []bool{false, true} {
		d := newTestData(t, kubeletConfigMap(userKubelet, signed))
		if err := runUploadKubeletConfig(t.Context(), d); err != nil {
			t.Fatal(err)
		}
		cm, err := d.client.CoreV1().ConfigMaps(metav1.NamespaceSystem).Get(t.Context(), clusterconfig.KubeletConfigMap, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var kc struct {
			MaxPods       int      `json:"maxPods"`
			CgroupDriver  string   `json:"cgroupDriver"`
			ClusterDNS    []string `json:"clusterDNS"`
			StaticPodPath string   `json:"staticPodPath"`
		}
		if err := yaml.Unmarshal([]byte(cm.Data[clusterconfig.KubeletConfigKey]), &kc); err != nil {
			t.Fatal(err)
		}
		if kc.MaxPods != 42 || kc.CgroupDriver != "cgroupfs" {
			t.Errorf("signed=%v: maxPods %d, cgroupDriver %q: the cluster's values were lost", signed, kc.MaxPods, kc.CgroupDriver)
		}
		if len(kc.ClusterDNS) == 0 || kc.StaticPodPath == "" {
			t.Errorf("signed=%v: kadm's defaults were not filled in: %+v", signed, kc)
		}
		if clusterconfig.Generated(cm) != signed {
			t.Errorf("signed=%v: the uploaded ConfigMap is signed %v", signed, clusterconfig.Generated(cm))
		}
	}
}

func TestUploadKubeadmConfigStoresTheNewVersion(t *testing.T) {
	t.Parallel()
	d := newTestData(t)
	if err := runUploadKubeadmConfig(t.Context(), d); err != nil {
		t.Fatal(err)
	}
	got, err := clusterconfig.ReadCluster(t.Context(), mustClient(t, d), apiPolicy(d), "kadm")
	if err != nil || got.KubernetesVersion != "v1.37.2" {
		t.Errorf("kubeadm-config holds %v, %v", got, err)
	}
}

// TestKubeletConfigPhase writes config.yaml from the cluster's kubelet-config, after
// backing up the one there.
func TestKubeletConfigPhase(t *testing.T) {
	t.Parallel()
	d := newTestData(t, kubeletConfigMap(userKubelet, false))
	if err := kubelet.WriteFile(d.KubeletDir(), kubelet.ConfigFileName, []byte("old: config\n")); err != nil {
		t.Fatal(err)
	}
	var out output
	if err := runKubeletConfig(out.ctx(t), d); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(d.KubeletDir(), kubelet.ConfigFileName))
	if err != nil || !strings.Contains(string(data), "maxPods: 42") || !strings.Contains(string(data), "containerRuntimeEndpoint: unix:///var/run/containerd/containerd.sock") {
		t.Errorf("config.yaml:\n%s\n%v", data, err)
	}
	backups, _ := filepath.Glob(filepath.Join(d.k8sDir, "tmp", "kubeadm-kubelet-config-*", kubelet.ConfigFileName))
	if len(backups) != 1 {
		t.Fatalf("backups %v", backups)
	}
	if b, _ := os.ReadFile(backups[0]); string(b) != "old: config\n" {
		t.Errorf("the backup holds %q", b)
	}
	if _, err := os.Stat(filepath.Join(d.KubeletDir(), kubelet.InstanceConfigFileName)); err != nil {
		t.Errorf("no instance-config.yaml was written: %v", err)
	}
	mustContain(t, out.String(), "[upgrade] Backing up kubelet config file to "+backups[0],
		"[upgrade/kubelet-config] The kubelet configuration for this node was successfully upgraded!")
}

func apiServerPod(node, image string) runtime.Object {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "kube-apiserver-" + node, Namespace: metav1.NamespaceSystem, Labels: map[string]string{"component": "kube-apiserver"}},
		Spec:       corev1.PodSpec{NodeName: node, Containers: []corev1.Container{{Name: "kube-apiserver", Image: image}}},
	}
}

// TestAddonsWaitForEveryControlPlane: the addons move only once every control plane runs
// the new API server.
func TestAddonsWaitForEveryControlPlane(t *testing.T) {
	t.Parallel()
	behind := newTestData(t, apiServerPod("cp1", "registry.k8s.io/kube-apiserver:v1.37.2"), apiServerPod("cp2", "registry.k8s.io/kube-apiserver:v1.36.3"))
	var out output
	if err := runCoreDNS(out.ctx(t), behind); err != nil {
		t.Fatal(err)
	}
	mustContain(t, out.String(), "[upgrade/addon] Skipping upgrade of addons because control plane instances [cp2] have not been upgraded")
	if _, err := behind.client.AppsV1().Deployments(metav1.NamespaceSystem).Get(t.Context(), "coredns", metav1.GetOptions{}); err == nil {
		t.Error("CoreDNS was upgraded before cp2")
	}

	done := newTestData(t, apiServerPod("cp1", "registry.k8s.io/kube-apiserver:v1.37.2"), apiServerPod("cp2", "registry.k8s.io/kube-apiserver:v1.37.2"))
	if err := runCoreDNS(t.Context(), done); err != nil {
		t.Fatal(err)
	}
	if err := runKubeProxy(t.Context(), done); err != nil {
		t.Fatal(err)
	}
	dep, err := done.client.AppsV1().Deployments(metav1.NamespaceSystem).Get(t.Context(), "coredns", metav1.GetOptions{})
	if err != nil || dep.Spec.Template.Spec.Containers[0].Image != "registry.k8s.io/coredns/coredns:v1.14.6" {
		t.Errorf("CoreDNS: %v", err)
	}
	var ds *appsv1.DaemonSet
	if ds, err = done.client.AppsV1().DaemonSets(metav1.NamespaceSystem).Get(t.Context(), "kube-proxy", metav1.GetOptions{}); err != nil ||
		ds.Spec.Template.Spec.Containers[0].Image != "registry.k8s.io/kube-proxy:v1.37.2" {
		t.Errorf("kube-proxy: %v", err)
	}

	worker := newTestData(t)
	worker.node.ControlPlane = false
	out = output{}
	if err := runKubeProxy(out.ctx(t), worker); err != nil {
		t.Fatal(err)
	}
	mustContain(t, out.String(), "[upgrade/addon] Skipping the addon/kube-proxy phase. Not a control plane node.")
}

// TestKubeProxyKeepsTheUsersConfiguration: a KubeProxyConfiguration a user supplied
// survives the upgrade.
func TestKubeProxyKeepsTheUsersConfiguration(t *testing.T) {
	t.Parallel()
	user := &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: "kube-proxy", Namespace: metav1.NamespaceSystem},
		Data:       map[string]string{"config.conf": "apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nmode: nftables\n"},
	}
	d := newTestData(t, apiServerPod("cp1", "registry.k8s.io/kube-apiserver:v1.37.2"), user)
	if err := runKubeProxy(t.Context(), d); err != nil {
		t.Fatal(err)
	}
	cm, err := d.client.CoreV1().ConfigMaps(metav1.NamespaceSystem).Get(t.Context(), "kube-proxy", metav1.GetOptions{})
	if err != nil || !strings.Contains(cm.Data["config.conf"], "mode: nftables") {
		t.Errorf("kube-proxy configuration after the upgrade:\n%s\n%v", cm.Data["config.conf"], err)
	}
}

// TestApplyPreflightEnforcesTheSkewPolicy checks the version policy with kubeadm's message,
// and that --force passes what may be skipped.
func TestApplyPreflightEnforcesTheSkewPolicy(t *testing.T) {
	t.Parallel()
	objs := []runtime.Object{apiServerPod("cp1", "registry.k8s.io/kube-apiserver:v1.35.4")}
	d := newTestData(t, objs...)
	d.dryRun = true
	d.client.Discovery().(fakeDiscovery).FakedServerVersion = serverVersion("v1.35.4")
	var out output
	err := runApplyPreflight(out.ctx(t), d)
	if err == nil || !strings.Contains(err.Error(), "the version argument is invalid due to these fatal errors:\n\n\t- Specified version to upgrade to \"v1.37.2\" is too high; kubeadm can upgrade only 1 minor version at a time") {
		t.Fatalf("two minors up: %v", err)
	}
	mustContain(t, out.String(), `[upgrade/preflight] You have chosen to upgrade the cluster version to "v1.37.2"`,
		"[upgrade/versions] Cluster version: v1.35.4", "[upgrade/versions] kadm version: v1.37.2")

	patch := newTestData(t, apiServerPod("cp1", "registry.k8s.io/kube-apiserver:v1.37.0"))
	patch.dryRun = true
	patch.client.Discovery().(fakeDiscovery).FakedServerVersion = serverVersion("v1.37.0")
	patch.cluster.KubernetesVersion = "v1.37.5"
	if err := runApplyPreflight(t.Context(), patch); err == nil || !strings.Contains(err.Error(), "Can be bypassed if you pass the --force flag") {
		t.Errorf("a target newer than kadm: %v", err)
	}
	patch.force = true
	if err := runApplyPreflight(t.Context(), patch); err != nil {
		t.Errorf("forced: %v", err)
	}
}

func TestApplyPreflightAsks(t *testing.T) {
	t.Parallel()
	d := newTestData(t, apiServerPod("cp1", "registry.k8s.io/kube-apiserver:v1.36.3"))
	d.dryRun = true
	d.client.Discovery().(fakeDiscovery).FakedServerVersion = serverVersion("v1.36.3")
	d.in = strings.NewReader("n\n")
	var out output
	err := runApplyPreflight(out.ctx(t), d)
	if !errors.Is(err, phases.ErrNotConfirmed) || !strings.Contains(err.Error(), "pass --yes to upgrade without asking") {
		t.Errorf("answered no: %v", err)
	}
	mustContain(t, out.String(), "[upgrade] Are you sure you want to proceed? [y/N]: ")
	d.in = strings.NewReader("y\n")
	if err := runApplyPreflight(t.Context(), d); err != nil {
		t.Errorf("answered yes: %v", err)
	}
}

func TestPostUpgradeDropsMovedFlags(t *testing.T) {
	t.Parallel()
	d := newTestData(t)
	if err := kubelet.WriteFile(d.KubeletDir(), kubelet.FlagsFileName,
		kubelet.FlagsEnv([]string{"--container-runtime-endpoint=unix:///run/containerd/containerd.sock", "--node-ip=10.0.0.1"})); err != nil {
		t.Fatal(err)
	}
	if err := kubelet.WriteFile(d.KubeletDir(), kubelet.InstanceConfigFileName, kubelet.InstanceConfig("unix:///run/containerd/containerd.sock")); err != nil {
		t.Fatal(err)
	}
	if err := runPostUpgrade(t.Context(), d); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(filepath.Join(d.KubeletDir(), kubelet.FlagsFileName))
	if string(got) != "KUBELET_KUBEADM_ARGS=\"--node-ip=10.0.0.1\"\n" {
		t.Errorf("kubeadm-flags.env is %q", got)
	}
	if backups, _ := filepath.Glob(filepath.Join(d.k8sDir, "tmp", "kubeadm-kubelet-env-*", kubelet.FlagsFileName)); len(backups) != 1 {
		t.Errorf("backups %v", backups)
	}
	// Nothing to drop: the file is left alone.
	before, _ := os.ReadFile(filepath.Join(d.KubeletDir(), kubelet.FlagsFileName))
	if err := runPostUpgrade(t.Context(), d); err != nil {
		t.Fatal(err)
	}
	if after, _ := os.ReadFile(filepath.Join(d.KubeletDir(), kubelet.FlagsFileName)); string(after) != string(before) {
		t.Error("a second run rewrote the file")
	}
}

func TestPhaseTrees(t *testing.T) {
	t.Parallel()
	apply := (&workflow.Workflow[ApplyData]{Phases: ApplyPhases()}).PhaseNames()
	want := "preflight control-plane upload-config upload-config/kubeadm upload-config/kubelet kubeconfig kubelet-config bootstrap-token addon addon/coredns addon/kube-proxy post-upgrade"
	if strings.Join(apply, " ") != want {
		t.Errorf("apply phases %v, want %s", apply, want)
	}
	node := (&workflow.Workflow[Data]{Phases: NodePhases()}).PhaseNames()
	want = "preflight control-plane kubeconfig kubelet-config addon addon/coredns addon/kube-proxy post-upgrade"
	if strings.Join(node, " ") != want {
		t.Errorf("node phases %v, want %s", node, want)
	}
}

func mustClient(t *testing.T, d *testData) kubeClient {
	c, err := d.Client(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCoreDNSMigration(t *testing.T) {
	t.Parallel()
	corefile := func(s string) runtime.Object {
		return &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "coredns", Namespace: metav1.NamespaceSystem}, Data: map[string]string{"Corefile": s}}
	}
	d := newTestData(t)
	for name, tt := range map[string]struct {
		obj  runtime.Object
		warn string
	}{
		"generated": {corefile(addons.Corefile("cluster.local")), ""},
		"edited":    {corefile(".:53 {\n    forward . 8.8.8.8\n}\n"), "the Corefile in kube-system/coredns was edited: it is kept as it is; check that registry.k8s.io/coredns/coredns:v1.14.6 reads it"},
		"absent":    {nil, ""},
	} {
		objs := []runtime.Object{}
		if tt.obj != nil {
			objs = append(objs, tt.obj)
		}
		c := coreDNSMigration{client: kubefake.Wrap(fake.NewClientset(objs...)), cluster: d.cluster}
		warnings, errs := c.Check(t.Context())
		if len(errs) != 0 || (tt.warn == "") != (len(warnings) == 0) || (tt.warn != "" && warnings[0].Error() != tt.warn) {
			t.Errorf("%s: warnings %v, errors %v; want %q", name, warnings, errs, tt.warn)
		}
	}
}
