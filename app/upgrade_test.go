package app

import (
	"context"
	"crypto/x509"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/version"
	fakediscovery "k8s.io/client-go/discovery/fake"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/spf13/cobra"

	"github.com/kadm-project/kadm/cluster/clusterconfig"
	"github.com/kadm-project/kadm/cluster/kube"
	"github.com/kadm-project/kadm/cluster/kube/kubefake"
	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/internal/progress"
	"github.com/kadm-project/kadm/kubeconfig"
	"github.com/kadm-project/kadm/node/controlplane"
	"github.com/kadm-project/kadm/node/machine"
	"github.com/kadm-project/kadm/node/staticpod"
	"github.com/kadm-project/kadm/pkiutil"
)

// upgradeCluster is a fake API server of a cluster at version whose kubeadm-config says so:
// one control-plane node cp1 with stacked etcd and one worker, and a health-check Job
// that completes.
func upgradeCluster(t *testing.T, v string) kube.Interface {
	t.Helper()
	cluster := config.DefaultClusterConfiguration()
	cluster.KubernetesVersion = v
	cm, err := clusterconfig.KubeadmConfig(cluster)
	if err != nil {
		t.Fatal(err)
	}
	mirror := func(component, image string) runtime.Object {
		return &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: component + "-cp1", Namespace: "kube-system", Labels: map[string]string{"component": component, "tier": "control-plane"}},
			Spec:       corev1.PodSpec{NodeName: "cp1", Containers: []corev1.Container{{Name: component, Image: image}}},
		}
	}
	node := func(name, kubelet string, labels map[string]string) runtime.Object {
		return &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels},
			Status: corev1.NodeStatus{NodeInfo: corev1.NodeSystemInfo{KubeletVersion: kubelet},
				Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue}}}}
	}
	dns := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "coredns", Namespace: "kube-system", Labels: map[string]string{"k8s-app": "kube-dns"}},
		Spec: appsv1.DeploymentSpec{Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
			Containers: []corev1.Container{{Name: "coredns", Image: "registry.k8s.io/coredns/coredns:v1.14.2"}}}}},
	}
	c := fake.NewClientset(cm,
		mirror("kube-apiserver", "registry.k8s.io/kube-apiserver:"+v),
		mirror("kube-controller-manager", "registry.k8s.io/kube-controller-manager:"+v),
		mirror("kube-scheduler", "registry.k8s.io/kube-scheduler:"+v),
		mirror("etcd", "registry.k8s.io/etcd:3.6.8-0"),
		node("cp1", v, map[string]string{config.ControlPlaneTaintKey: ""}), node("worker", v, nil), dns)
	c.Discovery().(*fakediscovery.FakeDiscovery).FakedServerVersion = &version.Info{GitVersion: v}
	c.PrependReactor("get", "jobs", func(a k8stesting.Action) (bool, runtime.Object, error) {
		j := &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: a.(k8stesting.GetAction).GetName(), Namespace: "kube-system"},
			Status: batchv1.JobStatus{Conditions: []batchv1.JobCondition{{Type: batchv1.JobComplete, Status: corev1.ConditionTrue}}}}
		return true, j, nil
	})
	return kubefake.Wrap(c)
}

// upgradeTree is a control-plane node's files under a temporary directory: the
// kube-apiserver manifest and the kubelet's kubeconfig of node cp1.
func upgradeTree(t *testing.T) upgradeDirs {
	t.Helper()
	root := t.TempDir()
	dirs := upgradeDirs{kubernetes: root, manifests: filepath.Join(root, "manifests"), kubelet: filepath.Join(root, "kubelet")}
	for _, c := range controlplane.Components() {
		pod := staticpod.New(corev1.Container{Name: c, Image: "registry.k8s.io/" + c + ":v1.36.3",
			Command: []string{c, "--advertise-address=10.0.0.1", "--secure-port=6443"}}, nil, nil)
		if _, _, err := staticpod.Write(dirs.manifests, pod); err != nil {
			t.Fatal(err)
		}
	}
	caKey, err := pkiutil.NewPrivateKey(pkiutil.RSA2048)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := pkiutil.NewSelfSignedCA(pkiutil.CertConfig{CommonName: "kubernetes"}, caKey)
	if err != nil {
		t.Fatal(err)
	}
	key, err := pkiutil.NewPrivateKey(pkiutil.RSA2048)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := pkiutil.NewSignedCert(pkiutil.CertConfig{CommonName: "system:node:cp1", Organization: []string{"system:nodes"},
		Usages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}, key, ca, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyPEM, err := pkiutil.EncodePrivateKeyPEM(key)
	if err != nil {
		t.Fatal(err)
	}
	kc := kubeconfig.WithClientCert("https://10.0.0.1:6443", "kubernetes", "system:node:cp1", pkiutil.EncodeCertPEM(ca), pkiutil.EncodeCertPEM(cert), keyPEM)
	if err := kubeconfig.Write(filepath.Join(root, kubeconfig.KubeletFile), kc); err != nil {
		t.Fatal(err)
	}
	return dirs
}

func testHost() machine.Host { return machine.Host{UID: func() int { return 0 }} }

func applyCmdOn(client kube.Interface, dirs upgradeDirs) func(IOStreams) *cobra.Command {
	return func(s IOStreams) *cobra.Command {
		o := newApplyOptions()
		o.clientFrom = func(string) (kube.Interface, error) { return client, nil }
		o.dirs, o.host = dirs, testHost()
		return newUpgradeCmdWith(s, o, nil, nil, nil)
	}
}

func TestUpgradeApplyUsage(t *testing.T) {
	t.Parallel()
	client, dirs := upgradeCluster(t, "v1.36.3"), upgradeTree(t)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no version", []string{"upgrade", "apply"}, "missing one or more required arguments. Required arguments: [version]"},
		{"not a version", []string{"upgrade", "apply", "newest"}, `[version] "newest" is not a Kubernetes version`},
		{"two versions", []string{"upgrade", "apply", "v1.37.2", "v1.37.1"}, "accepts at most 1 arg(s), received 2"},
		{"unknown phase", []string{"upgrade", "apply", "v1.37.2", "--skip-phases", "addon/dns"}, `unknown phase "addon/dns"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := runSub(t, applyCmdOn(client, dirs), tt.args...)
			if r.code != ExitUsage || !strings.Contains(r.errOut, tt.want) {
				t.Errorf("exit %d, stderr:\n%s\nwant exit %d and %q", r.code, r.errOut, ExitUsage, tt.want)
			}
		})
	}
}

func TestNewApplyData(t *testing.T) {
	t.Parallel()
	dirs := upgradeTree(t)
	file := filepath.Join(t.TempDir(), "upgrade.yaml")
	if err := os.WriteFile(file, []byte("apiVersion: kubeadm.k8s.io/v1beta4\nkind: UpgradeConfiguration\napply:\n  kubernetesVersion: v1.37.1\n  certificateRenewal: false\n  skipPhases: [addon/coredns]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	o := newApplyOptions()
	o.clientFrom = func(string) (kube.Interface, error) { return upgradeCluster(t, "v1.36.3"), nil }
	o.dirs, o.host = dirs, testHost()
	cmd := newUpgradeApplyCmd(IOStreams{}, o)
	if err := cmd.ParseFlags([]string{"--config", file, "--etcd-upgrade=false", "-y"}); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	ctx := progressTo(t, &out)
	d, err := newApplyData(ctx, cmd, []string{"1.37.2"}, o, strings.NewReader(""))
	if err != nil {
		t.Fatal(err)
	}
	if d.Cluster().KubernetesVersion != "v1.37.2" {
		t.Errorf("target %q: the argument wins over the file and gets its v", d.Cluster().KubernetesVersion)
	}
	if d.RenewCerts() || d.EtcdUpgrade() || d.Interactive() {
		t.Errorf("renew %v, etcd %v, interactive %v: want the file's and the flags' false", d.RenewCerts(), d.EtcdUpgrade(), d.Interactive())
	}
	if n := d.Node(); n.Name != "cp1" || !n.ControlPlane || n.Endpoint.AdvertiseAddress != "10.0.0.1" || n.Endpoint.BindPort != 6443 {
		t.Errorf("node %+v", n)
	}
	if d.cfg.Apply.SkipPhases[0] != "addon/coredns" {
		t.Errorf("skip phases %v", d.cfg.Apply.SkipPhases)
	}
	for _, line := range []string{"[config] the [version] argument overrides apply.kubernetesVersion from " + file,
		`[upgrade] Reading configuration from the "kubeadm-config" ConfigMap in namespace "kube-system"...`} {
		if !strings.Contains(out.String(), line) {
			t.Errorf("output lacks %q:\n%s", line, out.String())
		}
	}
}

func progressTo(t *testing.T, out *strings.Builder) context.Context {
	var mu sync.Mutex
	return progress.WithSink(t.Context(), func(s string) { mu.Lock(); out.WriteString(s); mu.Unlock() })
}

func planCmdOn(client kube.Interface, dirs upgradeDirs) func(IOStreams) *cobra.Command {
	return func(s IOStreams) *cobra.Command {
		o := newPlanOptions()
		o.clientFrom = func(string) (kube.Interface, error) { return client, nil }
		o.dirs, o.host = dirs, testHost()
		return newUpgradeCmdWith(s, nil, nil, nil, o)
	}
}

// TestUpgradePlan: a v1.36 cluster is offered kadm's own version, offline, in kubeadm's
// layout with the program's name in the commands it prints.
func TestUpgradePlan(t *testing.T) {
	t.Parallel()
	r := runSub(t, planCmdOn(upgradeCluster(t, "v1.36.3"), upgradeTree(t)), "upgrade", "plan")
	if r.code != ExitOK {
		t.Fatalf("exit %d:\n%s%s", r.code, r.out, r.errOut)
	}
	want := `Components that must be upgraded manually after you have upgraded the control plane with 'kadm upgrade apply':
COMPONENT   NODE      CURRENT   TARGET
kubelet     cp1       v1.36.3   v1.37.2
kubelet     worker    v1.36.3   v1.37.2

Upgrade to the latest stable version:

COMPONENT                 NODE      CURRENT   TARGET
kube-apiserver            cp1       v1.36.3   v1.37.2
kube-controller-manager   cp1       v1.36.3   v1.37.2
kube-scheduler            cp1       v1.36.3   v1.37.2
kube-proxy                          v1.36.3   v1.37.2
CoreDNS                             v1.14.2   v1.14.6
etcd                      cp1       3.6.8-0   3.7.0-0

You can now apply the upgrade by executing the following command:

	kadm upgrade apply v1.37.2

_____________________________________________________________________


The table below shows the current state of component configs as understood by this version of kadm.
`
	if !strings.Contains(r.out, want) {
		t.Errorf("plan:\n%s\nwant it to contain:\n%s", r.out, want)
	}
	for _, line := range []string{"[upgrade/versions] Cluster version: v1.36.3", "[upgrade/versions] kadm version: v1.37.2",
		"[upgrade/versions] Target version: v1.37.2 (kadm's own release: it looks up no release online)"} {
		if !strings.Contains(r.out, line) {
			t.Errorf("plan lacks %q:\n%s", line, r.out)
		}
	}
}

func TestUpgradePlanUpToDate(t *testing.T) {
	t.Parallel()
	r := runSub(t, planCmdOn(upgradeCluster(t, "v1.37.2"), upgradeTree(t)), "upgrade", "plan")
	if r.code != ExitOK || !strings.Contains(r.out, "[upgrade/versions] Awesome, you're up-to-date! Enjoy!") || strings.Contains(r.out, "upgrade apply") {
		t.Errorf("exit %d:\n%s%s", r.code, r.out, r.errOut)
	}
}

func TestUpgradePlanOutput(t *testing.T) {
	t.Parallel()
	client, dirs := upgradeCluster(t, "v1.36.3"), upgradeTree(t)
	r := runSub(t, planCmdOn(client, dirs), "upgrade", "plan", "v1.37.1", "-o", "json")
	if r.code != ExitOK || !strings.HasPrefix(r.out, "{\n    \"kind\": \"UpgradePlan\",\n    \"apiVersion\": \"output.kubeadm.k8s.io/v1alpha3\",") ||
		strings.Contains(r.out, "[upgrade") {
		t.Errorf("-o json: exit %d:\n%s%s", r.code, r.out, r.errOut)
	}
	r = runSub(t, planCmdOn(client, dirs), "upgrade", "plan", "-o", "jsonpath={.availableUpgrades[0].components[?(@.name==\"etcd\")].newVersion}")
	if r.code != ExitOK || r.out != "3.7.0-0" {
		t.Errorf("-o jsonpath: exit %d: %q %s", r.code, r.out, r.errOut)
	}
	r = runSub(t, planCmdOn(client, dirs), "upgrade", "plan", "-o", "kyaml")
	if r.code != ExitOK || !strings.HasPrefix(r.out, "---\n{\n  kind: \"UpgradePlan\",\n  apiVersion: \"output.kubeadm.k8s.io/v1alpha3\",\n") {
		t.Errorf("-o kyaml: exit %d:\n%s%s", r.code, r.out, r.errOut)
	}
	r = runSub(t, planCmdOn(client, dirs), "upgrade", "plan", "-o", "go-template={{range .availableUpgrades}}{{.description}}{{end}}")
	if r.code != ExitOK || r.out != "stable version" {
		t.Errorf("-o go-template: exit %d: %q %s", r.code, r.out, r.errOut)
	}
	// A release label resolves offline to kadm's own version, as kubeadm falls back to its own.
	r = runSub(t, planCmdOn(client, dirs), "upgrade", "plan", "stable-1", "-o", "jsonpath={.availableUpgrades[0].components[?(@.name==\"kube-apiserver\")].newVersion}")
	if r.code != ExitOK || r.out != "v1.37.2" {
		t.Errorf("plan stable-1: exit %d: %q %s", r.code, r.out, r.errOut)
	}
	r = runSub(t, planCmdOn(client, dirs), "upgrade", "plan", "-o", "go-template={{.nothere")
	if r.code != ExitUsage || !strings.Contains(r.errOut, "--output go-template: ") {
		t.Errorf("-o go-template with a bad template: exit %d: %s", r.code, r.errOut)
	}
}

func TestUpgradeDiff(t *testing.T) {
	t.Parallel()
	dirs := upgradeTree(t)
	client := upgradeCluster(t, "v1.36.3")
	r := runSub(t, func(s IOStreams) *cobra.Command {
		o := newDiffOptions()
		o.clientFrom = func(string) (kube.Interface, error) { return client, nil }
		o.dirs = dirs
		return newUpgradeCmdWith(s, nil, o, nil, nil)
	}, "upgrade", "diff", "v1.37.2", "-c", "1")
	if r.code != ExitOK {
		t.Fatalf("exit %d: %s", r.code, r.errOut)
	}
	path := staticpod.Path(dirs.manifests, "kube-scheduler")
	for _, want := range []string{"--- " + path + "\n+++ new manifest\n", "-    image: registry.k8s.io/kube-scheduler:v1.36.3\n", "+    image: registry.k8s.io/kube-scheduler:v1.37.2\n"} {
		if !strings.Contains(r.out, want) {
			t.Errorf("diff lacks %q:\n%s", want, r.out)
		}
	}
}

// TestNodeDataKubeconfig: a worker reaches the cluster with its kubelet's credentials, a
// control-plane node with admin.conf, unless --kubeconfig says otherwise.
func TestNodeDataKubeconfig(t *testing.T) {
	t.Parallel()
	cp := upgradeTree(t)
	worker := upgradeTree(t)
	if err := os.RemoveAll(worker.manifests); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		dirs upgradeDirs
		args []string
		want string
	}{
		{"control plane", cp, nil, filepath.Join(cp.kubernetes, "admin.conf")},
		{"worker", worker, nil, filepath.Join(worker.kubernetes, "kubelet.conf")},
		{"the flag", worker, []string{"--kubeconfig", "/root/x.conf"}, "/root/x.conf"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var used string
			o := newNodeOptions()
			o.clientFrom = func(path string) (kube.Interface, error) { used = path; return upgradeCluster(t, "v1.37.2"), nil }
			o.dirs, o.host = tt.dirs, testHost()
			cmd := newUpgradeNodeCmd(IOStreams{}, o)
			if err := cmd.ParseFlags(tt.args); err != nil {
				t.Fatal(err)
			}
			d, err := newNodeData(t.Context(), cmd, o)
			if err != nil {
				t.Fatal(err)
			}
			if used != tt.want {
				t.Errorf("kubeconfig %q, want %q", used, tt.want)
			}
			if d.Node().ControlPlane != (tt.name == "control plane") || d.Node().Name != "cp1" || d.Cluster().KubernetesVersion != "v1.37.2" {
				t.Errorf("node %+v, version %s", d.Node(), d.Cluster().KubernetesVersion)
			}
		})
	}
}

// TestApplyDryRunDir: a dry run writes into its own 0700 directory under the Kubernetes
// directory's tmp, as init's and join's do, and the run's end removes it.
func TestApplyDryRunDir(t *testing.T) {
	t.Parallel()
	dirs := upgradeTree(t)
	o := newApplyOptions()
	o.clientFrom = func(string) (kube.Interface, error) { return upgradeCluster(t, "v1.36.3"), nil }
	o.dirs, o.host = dirs, testHost()
	cmd := newUpgradeApplyCmd(IOStreams{}, o)
	if err := cmd.ParseFlags([]string{"--dry-run"}); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	d, err := newApplyData(progressTo(t, &out), cmd, []string{"v1.37.2"}, o, strings.NewReader(""))
	if err != nil {
		t.Fatal(err)
	}
	dir := d.DryRunDir()
	if filepath.Dir(dir) != filepath.Join(dirs.kubernetes, config.TmpDirName) || !strings.HasPrefix(filepath.Base(dir), config.UpgradeApplyDryRunDirPrefix) {
		t.Fatalf("dry-run directory %q: want %s* in %s/tmp", dir, config.UpgradeApplyDryRunDirPrefix, dirs.kubernetes)
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("dry-run directory: %v %v, want mode 0700", fi, err)
	}
	if !strings.Contains(out.String(), "[dryrun] Using dry-run directory "+dir) {
		t.Errorf("output does not name the directory:\n%s", out.String())
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("dry-run directory after Close: %v, want it gone", err)
	}
}
