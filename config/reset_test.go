package config

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kadm-project/kadm/internal/golden"
)

const resetHeader = "apiVersion: kubeadm.k8s.io/v1beta4\nkind: ResetConfiguration\n"

func TestParseReset(t *testing.T) {
	t.Parallel()
	input := resetHeader + `certificatesDir: /etc/kubernetes/custom-pki
cleanupTmpDir: true
criSocket: unix:///run/crio/crio.sock
dryRun: true
force: true
ignorePreflightErrors: [IsPrivilegedUser]
skipPhases: [cleanup-node]
unmountFlags: [MNT_DETACH, UMOUNT_NOFOLLOW]
timeouts:
  etcdAPICall: 30s
`
	d, err := Parse("reset.yaml", []byte(input))
	if err != nil {
		t.Fatal(err)
	}
	want := &ResetConfiguration{
		TypeMeta:        metav1.TypeMeta{APIVersion: V1Beta4, Kind: KindResetConfiguration},
		CertificatesDir: "/etc/kubernetes/custom-pki", CleanupTmpDir: true,
		CRISocket: "unix:///run/crio/crio.sock", DryRun: true, Force: true,
		IgnorePreflightErrors: []string{"IsPrivilegedUser"}, SkipPhases: []string{"cleanup-node"},
		UnmountFlags: []string{UnmountFlagDetach, UnmountFlagNoFollow},
		Timeouts:     &Timeouts{EtcdAPICall: &metav1.Duration{Duration: 30 * time.Second}},
	}
	if diff := cmp.Diff(want, d.Reset); diff != "" {
		t.Errorf("reset configuration (-want +got):\n%s", diff)
	}
	wantOther := []ComponentConfig{{APIVersion: V1Beta4, Kind: KindResetConfiguration, YAML: []byte(input)}}
	if diff := cmp.Diff(wantOther, d.Other); diff != "" {
		t.Errorf("the document is not kept as written for Marshal (-want +got):\n%s", diff)
	}
}

func TestParseResetErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		input string
		want  string
	}{
		{"unknown field", resetHeader + "force: true\nunmountFlag: [MNT_FORCE]\n",
			`reset.yaml: document 1 (ResetConfiguration): line 4: unknown field "unmountFlag" (at unmountFlag)`},
		{"wrong type", resetHeader + "force: yes please\n",
			"line 3: expected a boolean (true or false), got a string (at force)"},
		{"list expected", "---\n" + resetHeader + "skipPhases: cleanup-node\n",
			"line 4: expected a list, got"},
		{"given twice", resetHeader + "---\n" + resetHeader,
			"ResetConfiguration is given twice in the file (first in document 1)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("reset.yaml", []byte(tt.input))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestSetResetDefaults(t *testing.T) {
	t.Parallel()
	c := &ResetConfiguration{}
	SetResetDefaults(c)
	if c.APIVersion != V1Beta4 || c.Kind != KindResetConfiguration {
		t.Errorf("type %s/%s", c.APIVersion, c.Kind)
	}
	if c.CertificatesDir != DefaultCertificatesDir {
		t.Errorf("certificatesDir %q, want %q", c.CertificatesDir, DefaultCertificatesDir)
	}
	if c.CRISocket != "" {
		t.Errorf("criSocket %q, want it left for detection", c.CRISocket)
	}
	if c.Timeouts == nil || c.Timeouts.EtcdAPICall.Duration != DefaultEtcdAPICallTimeout {
		t.Errorf("timeouts %+v, want the defaults", c.Timeouts)
	}

	set := &ResetConfiguration{CertificatesDir: "/etc/kubernetes/other", Timeouts: &Timeouts{EtcdAPICall: &metav1.Duration{Duration: time.Second}}}
	SetResetDefaults(set)
	if set.CertificatesDir != "/etc/kubernetes/other" || set.Timeouts.EtcdAPICall.Duration != time.Second {
		t.Errorf("defaults replaced set fields: %+v", set)
	}
	if set.Timeouts.KubernetesAPICall == nil {
		t.Error("unset timeouts next to set ones were not defaulted")
	}
}

func TestValidateReset(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		modify func(*ResetConfiguration)
		want   []string
	}{
		{"defaults", func(*ResetConfiguration) {}, nil},
		{"every unmount flag", func(c *ResetConfiguration) { c.UnmountFlags = UnmountFlagNames() }, nil},
		{"bare socket path", func(c *ResetConfiguration) { c.CRISocket = "/run/containerd/containerd.sock" }, nil},
		{"relative certificates dir", func(c *ResetConfiguration) { c.CertificatesDir = "pki" }, []string{`certificatesDir: "pki" is not an absolute path`}},
		{"bad socket", func(c *ResetConfiguration) { c.CRISocket = "tcp://1.2.3.4:1" }, []string{`criSocket: "tcp://1.2.3.4:1" must use the unix:// scheme`}},
		{"unknown unmount flag", func(c *ResetConfiguration) { c.UnmountFlags = []string{UnmountFlagForce, "MNT_LAZY"} }, []string{
			`unmountFlags[1]: unknown unmount flag "MNT_LAZY": use MNT_FORCE, MNT_DETACH, MNT_EXPIRE, UMOUNT_NOFOLLOW`}},
		{"all with others", func(c *ResetConfiguration) { c.IgnorePreflightErrors = []string{"all", "Swap"} }, []string{"ignorePreflightErrors: "}},
		{"empty phase", func(c *ResetConfiguration) { c.SkipPhases = []string{"preflight", " "} }, []string{"skipPhases[1]: empty phase name"}},
		{"negative timeout", func(c *ResetConfiguration) { c.Timeouts.EtcdAPICall.Duration = -time.Second }, []string{"timeouts.etcdAPICall: -1s is negative"}},
		{"every problem at once", func(c *ResetConfiguration) {
			c.CertificatesDir, c.UnmountFlags = "pki", []string{"x"}
		}, []string{"certificatesDir: ", "unmountFlags[0]: "}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := DefaultResetConfiguration()
			tt.modify(c)
			err := ValidateReset(c)
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("ValidateReset = %v, want nil", err)
				}
				return
			}
			ve, ok := err.(*ValidationError)
			if !ok {
				t.Fatalf("ValidateReset = %v, want a *ValidationError", err)
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

func TestPrintResetDefaults(t *testing.T) {
	t.Parallel()
	out, err := PrintResetDefaults()
	if err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, filepath.Join("testdata", "print", "reset.yaml"), out)
	d, err := Parse("reset.yaml", out)
	if err != nil {
		t.Fatalf("printed reset defaults do not load: %v", err)
	}
	if err := ValidateReset(d.Reset); err != nil {
		t.Errorf("printed reset defaults do not validate: %v", err)
	}
}
