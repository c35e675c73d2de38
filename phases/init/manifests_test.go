package initphases

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/node/staticpod"
	"github.com/kadm-project/kadm/phases/options"
	"github.com/kadm-project/kadm/phases/workflow"
)

// runPhaseTree runs p and its children in order, as `kadm init` does, and
// returns what they printed with the test directory shown as <dir>.
func runPhaseTree(d *testData, p workflow.Phase[Data]) (string, error) {
	var out bytes.Buffer
	ctx := workflow.WithReporter(context.Background(), &workflow.TextReporter{Out: &out})
	var err error
	if p.Run != nil {
		err = p.Run(ctx, d)
	}
	for _, child := range p.Phases {
		if err != nil {
			break
		}
		err = child.Run(ctx, d)
	}
	return strings.ReplaceAll(out.String(), d.root, "<dir>"), err
}

func TestManifestPhases(t *testing.T) {
	t.Parallel()
	d := newTestData(t)
	var got strings.Builder
	for range 2 { // a rerun keeps the manifests and says the same
		for _, p := range []workflow.Phase[Data]{etcdPhase(), controlPlanePhase()} {
			out, err := runPhaseTree(d, p)
			if err != nil {
				t.Fatalf("%s: %v", p.Name, err)
			}
			got.WriteString(out)
		}
	}
	once := `[etcd] Creating static Pod manifest for local etcd in "<dir>/manifests"
[control-plane] Using manifest folder "<dir>/manifests"
[control-plane] Creating static Pod manifest for "kube-apiserver"
[control-plane] Creating static Pod manifest for "kube-controller-manager"
[control-plane] Creating static Pod manifest for "kube-scheduler"
`
	if diff := cmp.Diff(once+once, got.String()); diff != "" {
		t.Errorf("output (-want +got):\n%s", diff)
	}
	assertPerm(t, d.cluster.Etcd.Local.DataDir, 0o700)
	for _, name := range []string{"etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"} {
		path := staticpod.Path(d.ManifestDir(), name)
		assertPerm(t, path, 0o600)
		pod, err := staticpod.Read(path)
		if err != nil {
			t.Fatal(err)
		}
		// The manifests use the directories the data gives, which --dry-run
		// and tests redirect.
		b, _ := os.ReadFile(path)
		if !strings.Contains(string(b), d.CertificatesDir()) && name != "kube-scheduler" {
			t.Errorf("%s does not use the certificate directory %s", name, d.CertificatesDir())
		}
		if pod.Name != name {
			t.Errorf("%s holds Pod %q", path, pod.Name)
		}
	}
}

// TestManifestPhasesApplyPatches runs --patches end to end: patches apply in
// file order, each reported, and files the set ignored change nothing. That
// the set's loading is reported is the app's job, tested there.
func TestManifestPhasesApplyPatches(t *testing.T) {
	t.Parallel()
	d := newTestData(t)
	d.usePatchFiles(t, map[string]string{
		"etcd+merge.yaml":              "metadata: {annotations: {patched: etcd}}\n",
		"kube-apiserver0.yaml":         "metadata: {annotations: {patched: first}}\n",
		"kube-apiserver1+json.yaml":    "- {op: replace, path: /metadata/annotations/patched, value: second}\n",
		"kube-scheduler+strategic.yml": "metadata: {annotations: {patched: never}}\n",
		"kube-controller-manager.yaml": "",
	})
	if d.patchesErr != nil {
		t.Fatal(d.patchesErr)
	}
	// The fixture is what the test means: three patch files, two ignored.
	if diff := cmp.Diff([]string{"etcd+merge.yaml", "kube-apiserver0.yaml", "kube-apiserver1+json.yaml"}, d.patches.Files()); diff != "" {
		t.Fatalf("patch files (-want +got):\n%s", diff)
	}
	var ignored []string
	for _, ig := range d.patches.Ignored() {
		ignored = append(ignored, ig.File)
	}
	if diff := cmp.Diff([]string{"kube-controller-manager.yaml", "kube-scheduler+strategic.yml"}, ignored); diff != "" {
		t.Fatalf("ignored files (-want +got):\n%s", diff)
	}
	etcdOut, err := runPhaseTree(d, etcdPhase())
	if err != nil {
		t.Fatal(err)
	}
	wantEtcd := `[etcd] Creating static Pod manifest for local etcd in "<dir>/manifests"
[patches] Applied patch of type "application/merge-patch+json" to target "etcd"
`
	if diff := cmp.Diff(wantEtcd, etcdOut); diff != "" {
		t.Errorf("etcd output (-want +got):\n%s", diff)
	}
	cpOut, err := runPhaseTree(d, controlPlanePhase())
	if err != nil {
		t.Fatal(err)
	}
	applied := `[patches] Applied patch of type "application/strategic-merge-patch+json" to target "kube-apiserver"
[patches] Applied patch of type "application/json-patch+json" to target "kube-apiserver"
`
	if !strings.Contains(cpOut, applied) {
		t.Errorf("control-plane output lacks, in order:\n%s\ngot:\n%s", applied, cpOut)
	}
	if n := strings.Count(cpOut, "[patches] "); n != 2 {
		t.Errorf("control-plane output has %d patch lines, want the 2 for kube-apiserver:\n%s", n, cpOut)
	}
	for name, want := range map[string]string{"etcd": "etcd", "kube-apiserver": "second", "kube-scheduler": "", "kube-controller-manager": ""} {
		pod, err := staticpod.Read(staticpod.Path(d.ManifestDir(), name))
		if err != nil {
			t.Fatal(err)
		}
		if got := pod.Annotations["patched"]; got != want {
			t.Errorf("%s: annotation patched = %q, want %q", name, got, want)
		}
	}
}

// TestManifestPhasesReportBadPatches: a patches directory that does not
// load fails the phase, and no manifest is written without its patches.
func TestManifestPhasesReportBadPatches(t *testing.T) {
	t.Parallel()
	d := newTestData(t)
	d.usePatchFiles(t, map[string]string{"etcd+json.yaml": "metadata: {}\n"})
	_, err := runPhaseTree(d, etcdPhase())
	if err == nil || !strings.Contains(err.Error(), `"etcd+json.yaml"`) || !errors.Is(err, d.patchesErr) {
		t.Errorf("error = %v, want the patches directory's error naming the bad patch file", err)
	}
	if _, statErr := os.Stat(staticpod.Path(d.ManifestDir(), "etcd")); statErr == nil {
		t.Error("a manifest was written although its patches are broken")
	}
}

func TestEtcdPhaseDryRun(t *testing.T) {
	t.Parallel()
	d := newTestData(t)
	d.dryRun = true
	// On --dry-run the configured directory is the host's, not the one written to.
	d.cluster.CertificatesDir = config.DefaultCertificatesDir
	out, err := runPhaseTree(d, etcdPhase())
	if err != nil {
		t.Fatal(err)
	}
	manifest, err := os.ReadFile(staticpod.Path(d.ManifestDir(), "etcd"))
	if err != nil {
		t.Fatal(err)
	}
	want := `[etcd] Would ensure that "<dir>/var-lib-etcd" directory is present
[etcd] Creating static Pod manifest for local etcd in "<dir>/manifests"
[dryrun] Would write file "/etc/kubernetes/manifests/etcd.yaml" with content:
` + strings.ReplaceAll(string(manifest), d.root, "<dir>")
	if diff := cmp.Diff(want, out); diff != "" {
		t.Errorf("output (-want +got):\n%s", diff)
	}
	if _, err := os.Stat(d.cluster.Etcd.Local.DataDir); err == nil {
		t.Error("--dry-run created the etcd data directory")
	}
}

// TestDryRunManifestsNameHostPaths checks that --dry-run, which writes into a
// temporary directory, still shows the manifests a real run writes: they
// name the host's certificate and kubeconfig files, as kubeadm's do.
func TestDryRunManifestsNameHostPaths(t *testing.T) {
	t.Parallel()
	d := newTestData(t)
	d.dryRun = true
	// On --dry-run the configured directory is the host's, not the one written to.
	d.cluster.CertificatesDir = config.DefaultCertificatesDir
	for _, p := range []workflow.Phase[Data]{etcdPhase(), controlPlanePhase()} {
		if _, err := runPhaseTree(d, p); err != nil {
			t.Fatal(err)
		}
	}
	for name, want := range map[string]string{
		"etcd":                    "--cert-file=/etc/kubernetes/pki/etcd/server.crt",
		"kube-apiserver":          "--client-ca-file=/etc/kubernetes/pki/ca.crt",
		"kube-controller-manager": "--kubeconfig=/etc/kubernetes/controller-manager.conf",
		"kube-scheduler":          "--kubeconfig=/etc/kubernetes/scheduler.conf",
	} {
		b, err := os.ReadFile(staticpod.Path(d.ManifestDir(), name))
		if err != nil {
			t.Fatal(err)
		}
		redirected := []string{d.CertificatesDir(), filepath.Join(d.KubeConfigDir(), "controller-manager.conf"), filepath.Join(d.KubeConfigDir(), "scheduler.conf")}
		if !strings.Contains(string(b), want) || slices.ContainsFunc(redirected, func(p string) bool { return strings.Contains(string(b), p) }) {
			t.Errorf("%s: want %s and none of the dry-run paths %v:\n%s", name, want, redirected, b)
		}
	}
}

func TestEtcdPhaseOnlyForLocalEtcd(t *testing.T) {
	t.Parallel()
	d := newTestData(t)
	p := etcdPhase()
	if run, err := p.RunIf(d); err != nil || !run {
		t.Errorf("RunIf(local etcd) = %v, %v; want true", run, err)
	}
	d.cluster.Etcd = config.Etcd{External: &config.ExternalEtcd{Endpoints: []string{"https://10.0.0.9:2379"}}}
	if run, err := p.RunIf(d); err != nil || run {
		t.Errorf("RunIf(external etcd) = %v, %v; want false", run, err)
	}
	// `kadm init phase etcd local` runs the child alone, without RunIf.
	out, err := runPhaseTree(d, p.Phases[0])
	if err != nil || out != "" {
		t.Errorf("etcd local with an external etcd = %q, %v; want nothing done", out, err)
	}
	if _, err := os.Stat(d.ManifestDir()); err == nil {
		t.Error("etcd local with an external etcd created the manifest directory")
	}
}

// TestManifestPhaseTree pins the phase names and flags to kubeadm v1.37's.
func TestManifestPhaseTree(t *testing.T) {
	t.Parallel()
	common := []string{options.Config, options.CertificatesDir, options.KubernetesVersion, options.ImageRepository, options.Patches, options.DryRun}
	want := map[string][]string{
		"etcd/local": {options.CertificatesDir, options.Config, options.ImageRepository, options.Patches, options.DryRun},
		"control-plane/apiserver": append(slices.Clone(common), options.APIServerAdvertiseAddress, options.ControlPlaneEndpoint,
			options.APIServerBindPort, options.APIServerExtraArgs, options.FeatureGates, options.ServiceCIDR),
		"control-plane/controller-manager": append(slices.Clone(common), options.ControllerManagerExtraArgs, options.PodNetworkCIDR),
		"control-plane/scheduler":          append(slices.Clone(common), options.SchedulerExtraArgs),
	}
	got := map[string][]string{}
	for _, p := range []workflow.Phase[Data]{etcdPhase(), controlPlanePhase()} {
		for _, c := range p.Phases {
			got[p.Name+"/"+c.Name] = c.InheritFlags
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("phases and flags (-want +got):\n%s", diff)
	}
	if !controlPlanePhase().WithAll {
		t.Error("control-plane has no `all` phase")
	}
}

func assertPerm(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := info.Mode().Perm(); got != want {
		t.Errorf("%s has mode %v, want %v", path, got, want)
	}
}
