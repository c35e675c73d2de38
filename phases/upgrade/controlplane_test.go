package upgradephases

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/kadm-project/kadm/node/rollout"
	"github.com/kadm-project/kadm/node/staticpod"
)

func TestUpgradeControlPlane(t *testing.T) {
	t.Parallel()
	d := newTestData(t)
	before := d.serials(t)
	var out output
	if err := upgradeControlPlane(out.ctx(t), d, true); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"etcd":                    "registry.k8s.io/etcd:3.7.0-0",
		"kube-apiserver":          "registry.k8s.io/kube-apiserver:v1.37.2",
		"kube-controller-manager": "registry.k8s.io/kube-controller-manager:v1.37.2",
		"kube-scheduler":          "registry.k8s.io/kube-scheduler:v1.37.2",
	}
	for c, image := range want {
		if got := d.image(t, c); got != image {
			t.Errorf("%s runs %s, want %s", c, got, image)
		}
	}
	// One at a time, etcd first, each after the one before it ran.
	if wantRan := []string{want["etcd"], want["kube-apiserver"], want["kube-controller-manager"], want["kube-scheduler"]}; !slices.Equal(d.kubelet.ran, wantRan) {
		t.Errorf("the kubelet ran %v, want %v", d.kubelet.ran, wantRan)
	}
	if got := strings.Join(d.etcd.calls, ","); got != "health,available" {
		t.Errorf("etcd calls %q: want its health checked before and its availability after", got)
	}
	backups, _ := filepath.Glob(filepath.Join(d.k8sDir, "tmp", "kubeadm-backup-manifests-*", "*.yaml"))
	if len(backups) != 4 {
		t.Errorf("manifest backups %v, want the four old manifests", backups)
	}
	for _, b := range backups {
		p, err := staticpod.Read(b)
		if err != nil || !strings.Contains(p.Spec.Containers[0].Image, ":v1.36.3") && !strings.Contains(p.Spec.Containers[0].Image, ":3.6.8-0") {
			t.Errorf("backup %s does not hold the old manifest: %v", b, err)
		}
	}
	data, _ := filepath.Glob(filepath.Join(d.k8sDir, "tmp", "kubeadm-backup-etcd-*", "etcd", "member", "db"))
	if len(data) != 1 {
		t.Fatalf("etcd data backups %v, want one", data)
	}
	if b, _ := os.ReadFile(data[0]); string(b) != "v3.6 data" {
		t.Errorf("the etcd data backup holds %q", b)
	}
	// What kubeadm renews with each component, and admin.conf and super-admin.conf.
	wantRenewed := []string{"admin.conf", "apiserver", "apiserver-etcd-client", "apiserver-kubelet-client", "controller-manager.conf",
		"etcd-healthcheck-client", "etcd-peer", "etcd-server", "front-proxy-client", "scheduler.conf", "super-admin.conf"}
	if got := d.renewedSince(t, before); !slices.Equal(got, wantRenewed) {
		t.Errorf("renewed %v, want %v", got, wantRenewed)
	}
	mustContain(t, out.String(),
		"[upgrade/staticpods] Renewing etcd-peer certificate\n",
		"[upgrade/staticpods] Renewing controller-manager.conf certificate\n",
		`[upgrade/control-plane] Upgrading your static Pod-hosted control plane to version "v1.37.2" (timeout: 300ms)...`,
		`[upgrade/etcd] Checking that the etcd cluster is healthy`,
		`[upgrade/staticpods] Component "kube-scheduler" upgraded successfully!`,
		`[upgrade/control-plane] The control plane instance for this node was successfully upgraded!`)

	// A rerun has nothing to change: every component is kept, etcd is left alone.
	d.renewCerts = false
	d.etcd.calls = nil
	before = d.serials(t)
	var again output
	if err := upgradeControlPlane(again.ctx(t), d, true); err != nil {
		t.Fatal(err)
	}
	if got := d.renewedSince(t, before); len(got) != 0 {
		t.Errorf("--certificate-renewal=false renewed %v", got)
	}
	if strings.Count(again.String(), "are equal, skipping upgrade") != 4 {
		t.Errorf("a rerun changed something:\n%s", again.String())
	}
	if data, _ := filepath.Glob(filepath.Join(d.k8sDir, "tmp", "kubeadm-backup-etcd-*")); len(data) != 1 {
		t.Errorf("etcd data backups %v: a rerun that changes nothing copies no data", data)
	}
}

// TestUpgradeControlPlaneRollsBackAndResumes: a component that does not come up is rolled
// back, those before it stay upgraded, and a rerun picks up where the first run stopped.
func TestUpgradeControlPlaneRollsBackAndResumes(t *testing.T) {
	t.Parallel()
	d := newTestData(t)
	d.renewCerts = false
	broken := "registry.k8s.io/kube-controller-manager:v1.37.2"
	d.kubelet.broken[broken] = true
	var out output
	err := upgradeControlPlane(out.ctx(t), d, true)
	var rb *rollout.RolledBackError
	if !errors.As(err, &rb) || rb.Component != "kube-controller-manager" || rb.Recovered != nil {
		t.Fatalf("error %v, want kube-controller-manager rolled back and running again", err)
	}
	backup := filepath.Join(filepath.Dir(rb.Backup), "kube-controller-manager.yaml")
	mustContain(t, err.Error(), "couldn't complete the static pod upgrade", "its previous manifest is back in place (backed up at "+backup+")")
	for c, image := range map[string]string{
		"etcd": "registry.k8s.io/etcd:3.7.0-0", "kube-apiserver": "registry.k8s.io/kube-apiserver:v1.37.2",
		"kube-controller-manager": "registry.k8s.io/kube-controller-manager:v1.36.3", "kube-scheduler": "registry.k8s.io/kube-scheduler:v1.36.3",
	} {
		if got := d.image(t, c); got != image {
			t.Errorf("after the rollback %s runs %s, want %s", c, got, image)
		}
	}

	d.kubelet.broken[broken] = false
	var again output
	if err := upgradeControlPlane(again.ctx(t), d, true); err != nil {
		t.Fatalf("the rerun: %v", err)
	}
	mustContain(t, again.String(),
		"Current and new manifests of etcd are equal, skipping upgrade",
		"Current and new manifests of kube-apiserver are equal, skipping upgrade",
		`Component "kube-controller-manager" upgraded successfully!`,
		`Component "kube-scheduler" upgraded successfully!`)
	if got := d.image(t, "kube-scheduler"); got != "registry.k8s.io/kube-scheduler:v1.37.2" {
		t.Errorf("the rerun left kube-scheduler at %s", got)
	}
}

// TestUpgradeControlPlaneExternalCA: a certificate whose CA's key is not on the node is
// kept, with kubeadm's message, and the upgrade goes on; the others are renewed.
func TestUpgradeControlPlaneExternalCA(t *testing.T) {
	t.Parallel()
	d := newTestData(t)
	if err := os.Remove(filepath.Join(d.cluster.CertificatesDir, "etcd", "ca.key")); err != nil {
		t.Fatal(err)
	}
	before := d.serials(t)
	var out output
	if err := upgradeControlPlane(out.ctx(t), d, true); err != nil {
		t.Fatal(err)
	}
	want := []string{"admin.conf", "apiserver", "apiserver-kubelet-client", "controller-manager.conf", "front-proxy-client", "scheduler.conf", "super-admin.conf"}
	if got := d.renewedSince(t, before); !slices.Equal(got, want) {
		t.Errorf("renewed %v, want all but those the etcd CA signs: %v", got, want)
	}
	mustContain(t, out.String(),
		"[upgrade/staticpods] External CA detected, etcd-server certificate can't be renewed\n",
		"[upgrade/staticpods] External CA detected, apiserver-etcd-client certificate can't be renewed\n")
	if got := d.image(t, "etcd"); got != "registry.k8s.io/etcd:3.7.0-0" {
		t.Errorf("etcd runs %s", got)
	}
}

// TestUpgradeControlPlaneMissingCertificate: a certificate to renew that is not there
// stops the upgrade before the component's manifest changes, naming the file.
func TestUpgradeControlPlaneMissingCertificate(t *testing.T) {
	t.Parallel()
	d := newTestData(t)
	missing := filepath.Join(d.cluster.CertificatesDir, "apiserver-kubelet-client.crt")
	if err := os.Remove(missing); err != nil {
		t.Fatal(err)
	}
	var out output
	err := upgradeControlPlane(out.ctx(t), d, true)
	if err == nil || !strings.Contains(err.Error(), missing+" does not exist: restore it, or upgrade with --certificate-renewal=false") {
		t.Fatalf("error %v, want the missing file named", err)
	}
	if got := d.image(t, "kube-apiserver"); got != "registry.k8s.io/kube-apiserver:v1.36.3" {
		t.Errorf("kube-apiserver runs %s, want its old manifest kept", got)
	}
}

func TestUpgradeEtcdRefusesAnUnhealthyCluster(t *testing.T) {
	t.Parallel()
	d := newTestData(t)
	d.etcd.unhealthy = fmt.Errorf("etcd cluster is not healthy: https://10.0.0.2:2379: connection refused")
	err := upgradeControlPlane(t.Context(), d, true)
	if err == nil || !strings.Contains(err.Error(), "etcd cluster is not healthy: https://10.0.0.2:2379: connection refused; nothing was changed") {
		t.Fatalf("error %v", err)
	}
	for _, c := range components() {
		if img := d.image(t, c); strings.Contains(img, "v1.37.2") || strings.Contains(img, "3.7.0") {
			t.Errorf("%s was upgraded on an unhealthy etcd cluster: %s", c, img)
		}
	}
}

func TestUpgradeEtcdNeverDowngrades(t *testing.T) {
	t.Parallel()
	d := newTestData(t)
	d.cluster.Etcd.Local.ImageTag = "3.5.0-0"
	var out output
	if err := upgradeControlPlane(out.ctx(t), d, true); err != nil {
		t.Fatal(err)
	}
	mustContain(t, out.String(), `[upgrade/etcd] Non fatal issue encountered during upgrade: the desired etcd version "3.5.0-0" is older than the currently installed "3.6.8-0". Skipping etcd upgrade`)
	if got := d.image(t, "etcd"); got != "registry.k8s.io/etcd:3.6.8-0" {
		t.Errorf("etcd runs %s", got)
	}
}

func TestUpgradeControlPlaneDryRun(t *testing.T) {
	t.Parallel()
	d := newTestData(t)
	d.dryRun, d.dryRunDir = true, t.TempDir()
	before := d.serials(t)
	var out output
	if err := upgradeControlPlane(out.ctx(t), d, true); err != nil {
		t.Fatal(err)
	}
	for _, c := range components() {
		if img := d.image(t, c); strings.Contains(img, "v1.37.2") {
			t.Errorf("a dry run changed %s: %s", c, img)
		}
		p, err := staticpod.Read(staticpod.Path(d.dryRunDir, c))
		if err != nil || strings.Contains(p.Spec.Containers[0].Image, "v1.36") {
			t.Errorf("the dry run did not write the new %s manifest into its directory: %v", c, err)
		}
	}
	if renewed := d.renewedSince(t, before); len(d.kubelet.ran) != 0 || len(renewed) != 0 || len(d.etcd.calls) != 0 {
		t.Errorf("a dry run acted: ran %v, renewed %v, etcd %v", d.kubelet.ran, renewed, d.etcd.calls)
	}
	mustContain(t, out.String(), `[dryrun] Would write file "/etc/kubernetes/manifests/kube-apiserver.yaml" with content:`)
}

func TestExistingMembers(t *testing.T) {
	t.Parallel()
	pod := func(args ...string) *corev1.Pod { return podWithCommand(append([]string{"etcd"}, args...)...) }
	if got := existingMembers(pod("--initial-cluster=cp1=https://10.0.0.1:2380")); got != nil {
		t.Errorf("the first member: %v, want nil", got)
	}
	got := existingMembers(pod("--initial-cluster=cp1=https://10.0.0.1:2380,cp2=https://10.0.0.2:2380", "--initial-cluster-state=existing"))
	if len(got) != 2 || got[1].Name != "cp2" || got[1].PeerURL != "https://10.0.0.2:2380" {
		t.Errorf("a joined member: %v", got)
	}
}
