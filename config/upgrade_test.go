package config

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kadm-project/kadm/internal/golden"
)

const upgradeHeader = "apiVersion: kubeadm.k8s.io/v1beta4\nkind: UpgradeConfiguration\n"

func TestParseUpgrade(t *testing.T) {
	t.Parallel()
	input := upgradeHeader + `apply:
  kubernetesVersion: v1.37.2
  certificateRenewal: false
  forceUpgrade: true
  ignorePreflightErrors: [CoreDNSMigration]
  patches:
    directory: /etc/kadm/patches
  skipPhases: [addon/coredns]
  imagePullPolicy: Never
diff:
  contextLines: 5
node:
  etcdUpgrade: false
plan:
  allowRCUpgrades: true
timeouts:
  upgradeManifests: 2m
`
	d, err := Parse("upgrade.yaml", []byte(input))
	if err != nil {
		t.Fatal(err)
	}
	no, yes := false, true
	want := &UpgradeConfiguration{
		TypeMeta: metav1.TypeMeta{APIVersion: V1Beta4, Kind: KindUpgradeConfiguration},
		Apply: UpgradeApplyConfiguration{
			KubernetesVersion: "v1.37.2", CertificateRenewal: &no, ForceUpgrade: &yes,
			IgnorePreflightErrors: []string{"CoreDNSMigration"}, Patches: &Patches{Directory: "/etc/kadm/patches"},
			SkipPhases: []string{"addon/coredns"}, ImagePullPolicy: corev1.PullNever,
		},
		Diff:     UpgradeDiffConfiguration{DiffContextLines: 5},
		Node:     UpgradeNodeConfiguration{EtcdUpgrade: &no},
		Plan:     UpgradePlanConfiguration{AllowRCUpgrades: &yes},
		Timeouts: &Timeouts{UpgradeManifests: &metav1.Duration{Duration: 2 * time.Minute}},
	}
	if diff := cmp.Diff(want, d.Upgrade); diff != "" {
		t.Errorf("upgrade configuration (-want +got):\n%s", diff)
	}
	wantOther := []ComponentConfig{{APIVersion: V1Beta4, Kind: KindUpgradeConfiguration, YAML: []byte(input)}}
	if diff := cmp.Diff(wantOther, d.Other); diff != "" {
		t.Errorf("the document is not kept as written for Marshal (-want +got):\n%s", diff)
	}
}

func TestParseUpgradeErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		input string
		want  string
	}{
		{"unknown field", upgradeHeader + "apply:\n  force: true\n",
			`upgrade.yaml: document 1 (UpgradeConfiguration): line 4: unknown field "force" (at apply.force)`},
		{"unknown section", upgradeHeader + "reset: {}\n", `line 3: unknown field "reset" (at reset)`},
		{"wrong type", upgradeHeader + "node:\n  dryRun: sometimes\n",
			"line 4: expected a boolean (true or false), got a string (at node.dryRun)"},
		{"number expected", upgradeHeader + "diff:\n  contextLines: many\n", "line 4: expected an integer, got a string (at diff.contextLines)"},
		{"given twice", upgradeHeader + "---\n" + upgradeHeader, "UpgradeConfiguration is given twice in the file (first in document 1)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("upgrade.yaml", []byte(tt.input))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestSetUpgradeDefaults(t *testing.T) {
	t.Parallel()
	c := DefaultUpgradeConfiguration()
	for name, b := range map[string]*bool{
		"apply.etcdUpgrade": c.Apply.EtcdUpgrade, "apply.certificateRenewal": c.Apply.CertificateRenewal,
		"apply.imagePullSerial": c.Apply.ImagePullSerial, "node.etcdUpgrade": c.Node.EtcdUpgrade,
		"node.certificateRenewal": c.Node.CertificateRenewal, "node.imagePullSerial": c.Node.ImagePullSerial,
		"plan.etcdUpgrade": c.Plan.EtcdUpgrade,
	} {
		if !Bool(b) {
			t.Errorf("%s defaults to %v, want true", name, b)
		}
	}
	for _, b := range []*bool{c.Apply.DryRun, c.Apply.ForceUpgrade, c.Apply.PrintConfig, c.Node.DryRun, c.Plan.AllowRCUpgrades} {
		if b != nil {
			t.Errorf("a flag that defaults to false was set to %v", *b)
		}
	}
	if c.Apply.ImagePullPolicy != corev1.PullIfNotPresent || c.Node.ImagePullPolicy != corev1.PullIfNotPresent {
		t.Errorf("image pull policies %q, %q", c.Apply.ImagePullPolicy, c.Node.ImagePullPolicy)
	}
	if c.Timeouts.UpgradeManifests.Duration != DefaultUpgradeManifestsTimeout {
		t.Errorf("upgradeManifests timeout %v", c.Timeouts.UpgradeManifests)
	}

	no := false
	set := &UpgradeConfiguration{Apply: UpgradeApplyConfiguration{CertificateRenewal: &no}}
	SetUpgradeDefaults(set)
	if Bool(set.Apply.CertificateRenewal) {
		t.Error("the defaults replaced certificateRenewal: false")
	}
}

func TestValidateUpgrade(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		modify func(*UpgradeConfiguration)
		want   []string
	}{
		{"defaults", func(*UpgradeConfiguration) {}, nil},
		{"relative patches", func(c *UpgradeConfiguration) { c.Node.Patches = &Patches{Directory: "patches"} },
			[]string{`node.patches.directory: "patches" is not an absolute path`}},
		{"pull policy", func(c *UpgradeConfiguration) { c.Apply.ImagePullPolicy = "Sometimes" },
			[]string{`apply.imagePullPolicy: "Sometimes" is not an image pull policy`}},
		{"version label", func(c *UpgradeConfiguration) { c.Apply.KubernetesVersion = "stable-1" }, nil},
		{"no version", func(c *UpgradeConfiguration) { c.Plan.KubernetesVersion = "newest" },
			[]string{"plan.kubernetesVersion: \"newest\" is not a Kubernetes version"}},
		{"all with others", func(c *UpgradeConfiguration) { c.Plan.IgnorePreflightErrors = []string{"all", "Swap"} },
			[]string{"plan.ignorePreflightErrors: "}},
		{"empty phase", func(c *UpgradeConfiguration) { c.Apply.SkipPhases = []string{""} }, []string{"apply.skipPhases[0]: empty phase name"}},
		{"negative context", func(c *UpgradeConfiguration) { c.Diff.DiffContextLines = -1 }, []string{"diff.contextLines: -1 is negative"}},
		{"negative timeout", func(c *UpgradeConfiguration) { c.Timeouts.UpgradeManifests.Duration = -time.Second },
			[]string{"timeouts.upgradeManifests: -1s is negative"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := DefaultUpgradeConfiguration()
			tt.modify(c)
			err := ValidateUpgrade(c)
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("ValidateUpgrade = %v, want nil", err)
				}
				return
			}
			ve, ok := err.(*ValidationError)
			if !ok {
				t.Fatalf("ValidateUpgrade = %v, want a *ValidationError", err)
			}
			if len(ve.Errors) != len(tt.want) {
				t.Errorf("%d errors, want %d: %v", len(ve.Errors), len(tt.want), err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q, want it to contain %q", err, w)
				}
			}
		})
	}
}

func TestPrintUpgradeDefaults(t *testing.T) {
	t.Parallel()
	out, err := PrintUpgradeDefaults()
	if err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, filepath.Join("testdata", "print", "upgrade.yaml"), out)
	d, err := Parse("upgrade.yaml", out)
	if err != nil {
		t.Fatalf("printed upgrade defaults do not load: %v", err)
	}
	if err := ValidateUpgrade(d.Upgrade); err != nil {
		t.Errorf("printed upgrade defaults do not validate: %v", err)
	}
}
