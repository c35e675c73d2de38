package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// decodeErrors lists the *DecodeError values inside err, joined or not.
func decodeErrors(t *testing.T, err error) []*DecodeError {
	t.Helper()
	if err == nil {
		t.Fatal("Parse succeeded, want an error")
	}
	var errs []error
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		errs = joined.Unwrap()
	} else {
		errs = []error{err}
	}
	var out []*DecodeError
	for _, e := range errs {
		var de *DecodeError
		if !errors.As(e, &de) {
			t.Fatalf("error %v is not a *DecodeError", e)
		}
		out = append(out, de)
	}
	return out
}

// want is the part of a DecodeError a test pins down; Detail is matched as a substring.
type want struct {
	Document int
	Kind     string
	Line     int
	Field    string
	Detail   string
}

const initHeader = "apiVersion: kubeadm.k8s.io/v1beta4\nkind: InitConfiguration\n"

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		input string
		want  []want
		// hidden must not appear in the error text.
		hidden string
	}{
		{
			name:  "unknown field in a later document",
			input: initHeader + "---\n# cluster settings\napiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\n\nnetworkin:\n  podSubnet: 10.244.0.0/16\n",
			want:  []want{{2, KindClusterConfiguration, 8, "networkin", `unknown field "networkin"`}},
		},
		{
			name:  "nested unknown field",
			input: initHeader + "nodeRegistration:\n  taints:\n  - key: a\n    efect: NoSchedule\n",
			want:  []want{{1, KindInitConfiguration, 6, "nodeRegistration.taints[0].efect", `unknown field "efect"`}},
		},
		{
			name:  "field names are case-sensitive",
			input: initHeader + "NodeRegistration: {}\n",
			want:  []want{{1, KindInitConfiguration, 3, "NodeRegistration", "unknown field"}},
		},
		{
			name:  "string where a number belongs",
			input: initHeader + "localAPIEndpoint:\n  bindPort: \"6443\"\n",
			want:  []want{{1, KindInitConfiguration, 4, "localAPIEndpoint.bindPort", "expected an integer, got a string"}},
		},
		{
			name:  "number where a string belongs",
			input: initHeader + "nodeRegistration:\n  name: 42\n",
			want:  []want{{1, KindInitConfiguration, 4, "nodeRegistration.name", "expected a string, got a number"}},
		},
		{
			name:  "scalar where a list belongs",
			input: initHeader + "skipPhases: preflight\n",
			want:  []want{{1, KindInitConfiguration, 3, "skipPhases", "expected a list"}},
		},
		{
			name:  "integer out of range",
			input: initHeader + "localAPIEndpoint:\n  bindPort: 99999999999\n",
			want:  []want{{1, KindInitConfiguration, 4, "localAPIEndpoint.bindPort", "out of range"}},
		},
		{
			name:  "quoted word is not a boolean",
			input: "apiVersion: kubeadm.k8s.io/v1beta4\nkind: JoinConfiguration\ndryRun: \"yes\"\n",
			want:  []want{{1, KindJoinConfiguration, 3, "dryRun", "expected a boolean"}},
		},
		{
			name:  "bad duration",
			input: initHeader + "timeouts:\n  discovery: 5 minutes\n",
			want:  []want{{1, KindInitConfiguration, 4, "timeouts.discovery", "invalid value"}},
		},
		{
			name:  "duplicate field",
			input: initHeader + "dryRun: true\ncertificateKey: x\ndryRun: false\n",
			want:  []want{{1, KindInitConfiguration, 5, "dryRun", `duplicate field "dryRun" (first given on line 3)`}},
		},
		{
			name:  "duplicate map key",
			input: "apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\nfeatureGates:\n  A: true\n  A: false\n",
			want:  []want{{1, KindClusterConfiguration, 5, "featureGates.A", "duplicate field"}},
		},
		{
			name:  "same kind twice",
			input: initHeader + "---\n" + strings.Replace(initHeader, "v1beta4", "v1beta3", 1),
			want:  []want{{2, KindInitConfiguration, 5, "kind", "given twice in the file (first in document 1)"}},
		},
		{
			name:  "unknown apiVersion",
			input: "apiVersion: kubeadm.k8s.io/v1beta5\nkind: InitConfiguration\n",
			want:  []want{{1, KindInitConfiguration, 1, "apiVersion", `unknown apiVersion "kubeadm.k8s.io/v1beta5"`}},
		},
		{
			name:  "unknown kind",
			input: initHeader + "---\napiVersion: kubeadm.k8s.io/v1beta4\nkind: NodeConfiguration\n",
			want:  []want{{2, "NodeConfiguration", 5, "kind", `unknown kind "NodeConfiguration"`}},
		},
		{
			name:  "foreign document",
			input: "apiVersion: v1\nkind: ConfigMap\n",
			want:  []want{{1, "ConfigMap", 1, "apiVersion", `unknown apiVersion "v1"`}},
		},
		{
			name:  "component config of the wrong version",
			input: "apiVersion: kubelet.config.k8s.io/v1alpha1\nkind: KubeletConfiguration\n",
			want:  []want{{1, KindKubeletConfiguration, 1, "apiVersion", "unknown apiVersion"}},
		},
		{
			name:  "old v1beta2",
			input: "apiVersion: kubeadm.k8s.io/v1beta2\nkind: ClusterConfiguration\n",
			want:  []want{{1, KindClusterConfiguration, 1, "apiVersion", "kubeadm.k8s.io/v1beta2 is no longer supported: migrate the file with kubeadm v1.22"}},
		},
		{
			name:  "old v1alpha3",
			input: "apiVersion: kubeadm.k8s.io/v1alpha3\nkind: InitConfiguration\n",
			want:  []want{{1, KindInitConfiguration, 1, "apiVersion", "kubeadm v1.14"}},
		},
		{
			name:  "missing kind",
			input: "---\napiVersion: kubeadm.k8s.io/v1beta4\nnodeRegistration: {}\n",
			want:  []want{{1, "", 2, "kind", "missing kind"}},
		},
		{
			name:  "empty file",
			input: "",
			want:  []want{{0, "", 0, "", "no configuration documents"}},
		},
		{
			name:  "only comments and separators",
			input: "# nothing here\n---\n---\n",
			want:  []want{{0, "", 0, "", "no configuration documents"}},
		},
		{
			name:  "YAML syntax error",
			input: initHeader + "---\napiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\nnetworking:\n  podSubnet: [a\n",
			want:  []want{{2, "", 7, "", "invalid YAML"}},
		},
		{
			name:  "not a mapping",
			input: "- apiVersion: kubeadm.k8s.io/v1beta4\n",
			want:  []want{{1, "", 1, "", "expected a mapping"}},
		},
		{
			name:  "separator with content",
			input: initHeader + "--- {apiVersion: kubeadm.k8s.io/v1beta4, kind: ClusterConfiguration}\n",
			want:  []want{{1, "", 3, "", "put each --- separator on a line of its own"}},
		},
		{
			name:   "malformed bootstrap token is not echoed",
			input:  initHeader + "bootstrapTokens:\n- token: abcdef.NOTASECRETFORMAT\n",
			want:   []want{{1, KindInitConfiguration, 4, "bootstrapTokens[0].token", "abcdef.<redacted>"}},
			hidden: "NOTASECRETFORMAT",
		},
		{
			name:   "wrongly typed certificate key is not echoed",
			input:  initHeader + "certificateKey: 1234567890\n",
			want:   []want{{1, KindInitConfiguration, 3, "certificateKey", "expected a string"}},
			hidden: "1234567890",
		},
		{
			name:  "v1beta4 fields are unknown in v1beta3",
			input: "apiVersion: kubeadm.k8s.io/v1beta3\nkind: ClusterConfiguration\nencryptionAlgorithm: RSA-2048\n",
			want:  []want{{1, KindClusterConfiguration, 3, "encryptionAlgorithm", "unknown field"}},
		},
		{
			name:  "v1beta3 fields are unknown in v1beta4",
			input: "apiVersion: kubeadm.k8s.io/v1beta4\nkind: JoinConfiguration\ndiscovery:\n  timeout: 1m\n",
			want:  []want{{1, KindJoinConfiguration, 4, "discovery.timeout", "unknown field"}},
		},
		{
			name: "every problem is reported",
			input: initHeader + "nodeRegistration:\n  nmae: a\n---\napiVersion: kubeadm.k8s.io/v1beta4\nkind: JoinConfiguration\n" +
				"caCertPath: [x]\n---\napiVersion: kubeadm.k8s.io/v1beta1\nkind: ClusterConfiguration\n",
			want: []want{
				{1, KindInitConfiguration, 4, "nodeRegistration.nmae", "unknown field"},
				{2, KindJoinConfiguration, 8, "caCertPath", "expected a string"},
				{3, KindClusterConfiguration, 10, "apiVersion", "v1.15"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("config.yaml", []byte(tt.input))
			got := decodeErrors(t, err)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d errors, want %d:\n%v", len(got), len(tt.want), err)
			}
			for i, w := range tt.want {
				g := got[i]
				gotWant := want{g.Document, g.Kind, g.Line, g.Field, w.Detail}
				if diff := cmp.Diff(w, gotWant); diff != "" || !strings.Contains(g.Detail, w.Detail) {
					t.Errorf("error %d = %q\n(-want +got):\n%s", i, g, diff)
				}
				if g.Source != "config.yaml" || !strings.HasPrefix(g.Error(), "config.yaml: ") {
					t.Errorf("error %d does not name the file: %q", i, g)
				}
			}
			if tt.hidden != "" && strings.Contains(err.Error(), tt.hidden) {
				t.Errorf("error leaks %q: %v", tt.hidden, err)
			}
		})
	}
}

func TestDecodeErrorFormat(t *testing.T) {
	t.Parallel()
	e := &DecodeError{Source: "config.yaml", Document: 2, Kind: "ClusterConfiguration", Line: 7, Field: "networkin", Detail: `unknown field "networkin"`}
	want := `config.yaml: document 2 (ClusterConfiguration): line 7: unknown field "networkin" (at networkin)`
	if e.Error() != want {
		t.Errorf("Error() = %q, want %q", e.Error(), want)
	}
}

func TestParseKeepsComponentConfigsVerbatim(t *testing.T) {
	t.Parallel()
	kubeProxy := "apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\n# comments and unknown fields are not ours to judge\nmode: ipvs\nsomethingNew: {a: 1}\n"
	kubelet := "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\ncgroupDriver: systemd\n"
	reset := "apiVersion: kubeadm.k8s.io/v1beta4\nkind: ResetConfiguration\nforce: true\n"
	input := kubeProxy + "---\n" + initHeader + "---\n" + kubelet + "---\n" + reset
	d, err := Parse("config.yaml", []byte(input))
	if err != nil {
		t.Fatal(err)
	}
	wantComponents := []ComponentConfig{
		{APIVersion: KubeProxyConfigAPIVersion, Kind: KindKubeProxyConfiguration, YAML: []byte(kubeProxy)},
		{APIVersion: KubeletConfigAPIVersion, Kind: KindKubeletConfiguration, YAML: []byte(kubelet)},
	}
	if diff := cmp.Diff(wantComponents, d.Components); diff != "" {
		t.Errorf("components (-want +got):\n%s", diff)
	}
	wantOther := []ComponentConfig{{APIVersion: V1Beta4, Kind: KindResetConfiguration, YAML: []byte(reset)}}
	if diff := cmp.Diff(wantOther, d.Other); diff != "" {
		t.Errorf("other documents (-want +got):\n%s", diff)
	}
	if d.Init == nil || d.Cluster != nil || d.Join != nil || d.Source != "config.yaml" {
		t.Errorf("documents = %+v", d)
	}
}

func TestParseValues(t *testing.T) {
	t.Parallel()
	input := initHeader + `bootstrapTokens:
- token: abcdef.0123456789abcdef
  ttl: 1h
  expires: 2030-01-02T03:04:05Z
nodeRegistration: &reg
  name: node-a
  taints: []
  kubeletExtraArgs:
  - name: v
    value: "4"
dryRun: yes
---
apiVersion: kubeadm.k8s.io/v1beta4
kind: JoinConfiguration
nodeRegistration:
  name: node-b
discovery:
  file:
    kubeConfigPath: /etc/kubernetes/discovery.conf
`
	d, err := Parse("", []byte(input))
	if err != nil {
		t.Fatal(err)
	}
	bt := d.Init.BootstrapTokens[0]
	if bt.Token.Token() != testToken || bt.TTL.Duration.String() != "1h0m0s" || bt.Expires.UTC().Year() != 2030 {
		t.Errorf("bootstrap token = %+v", bt)
	}
	n := d.Init.NodeRegistration
	if n.Name != "node-a" || n.Taints == nil || len(n.Taints) != 0 || n.KubeletExtraArgs[0] != (Arg{"v", "4"}) {
		t.Errorf("nodeRegistration = %+v", n)
	}
	if !d.Init.DryRun {
		t.Errorf("unquoted yes did not read as true")
	}
	if d.Join.NodeRegistration.Taints != nil {
		t.Errorf("absent taints became %v", d.Join.NodeRegistration.Taints)
	}
	if d.Join.Discovery.File.KubeConfigPath != "/etc/kubernetes/discovery.conf" {
		t.Errorf("join discovery = %+v", d.Join.Discovery)
	}
}

func TestParseAliases(t *testing.T) {
	t.Parallel()
	input := "apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\napiServer:\n  certSANs: &sans\n  - a.example\n" +
		"etcd:\n  local:\n    serverCertSANs: *sans\n"
	d, err := Parse("", []byte(input))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"a.example"}, d.Cluster.Etcd.Local.ServerCertSANs); diff != "" {
		t.Errorf("aliased SANs (-want +got):\n%s", diff)
	}
}

func TestLoad(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "kadm.yaml")
	if err := os.WriteFile(path, []byte(initHeader+"nodeRegistration:\n  nmae: x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path)
	if err == nil || !strings.HasPrefix(err.Error(), path+": document 1 (InitConfiguration): line 4: ") {
		t.Errorf("Load error = %v, want one naming %s, the document and the line", err, path)
	}
	if _, err := Load(path + ".missing"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load of a missing file = %v, want os.ErrNotExist", err)
	}
}

func TestSyntaxErrorLines(t *testing.T) {
	t.Parallel()
	tests := []struct {
		input string
		line  int
	}{
		{"a: 1\nb:\n  c: [x\n", 3},
		{"a: 1\nb:\n  c: 1\n d: 2\n", 4},
		{"a: 1\nb: c: d\n", 2},
		{"a: 1\n\tb: 2\n", 2},
		{"a: 1\nb: {x: 1\n", 2},
		{"a: 1\nb: 'x' y\n", 2},
		{"a: 1\nb: @x\n", 2},
	}
	for _, tt := range tests {
		_, err := Parse("f.yaml", []byte("# leading comment\n---\n"+tt.input))
		errs := decodeErrors(t, err)
		if len(errs) != 1 || errs[0].Line != tt.line+2 {
			t.Errorf("%q: got %v, want an error on line %d", tt.input, err, tt.line+2)
		}
	}
}

// TestRequireCurrent: v1beta3 documents load for config migrate, but every
// other command refuses them, as kubeadm v1.37 does, naming each document
// and the command that converts the file, under the name kadm runs as.
func TestRequireCurrent(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("testdata/migrate/v1beta3-init.yaml")
	if err != nil {
		t.Fatal(err)
	}
	d, err := Parse("old.yaml", data)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	err = d.RequireCurrent("kubeadm")
	var de *DecodeError
	if !errors.As(err, &de) || de.Field != "apiVersion" || de.Line == 0 || de.Document == 0 {
		t.Fatalf("RequireCurrent = %v, want a *DecodeError at a document's apiVersion line", err)
	}
	for _, want := range []string{"old.yaml: document 1 (InitConfiguration)", "old.yaml: document 2 (ClusterConfiguration)",
		"kubeadm.k8s.io/v1beta3 is an old API version", "'kubeadm config migrate --old-config old.yaml --new-config new-config-file'"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	current, err := Parse("new.yaml", []byte("apiVersion: kubeadm.k8s.io/v1beta4\nkind: InitConfiguration\n"))
	if err != nil {
		t.Fatal(err)
	}
	if err := current.RequireCurrent("kubeadm"); err != nil {
		t.Errorf("a v1beta4 file: %v", err)
	}
	_, err = Parse("v1.yaml", []byte("apiVersion: kubeadm.k8s.io/v1\nkind: InitConfiguration\n"))
	if err == nil || !strings.Contains(err.Error(), "experimental, unreleased API") {
		t.Errorf("kubeadm.k8s.io/v1: %v, want the experimental API refused", err)
	}
}
