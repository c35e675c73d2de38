package app

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kadm-project/kadm/cluster/kube"
	"github.com/kadm-project/kadm/cluster/kube/kubefake"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/kadm-project/kadm/cluster/clusterconfig"
	"github.com/kadm-project/kadm/config"
	resetphases "github.com/kadm-project/kadm/phases/reset"
	"github.com/kadm-project/kadm/phases/workflow"
)

// parseReset parses args as `reset` flags, with --config pointing at file
// when it is not empty, and builds the data, running nothing. It returns
// what building the data printed.
func parseReset(t *testing.T, file string, args ...string) (*resetData, string, error) {
	t.Helper()
	if file != "" {
		args = append(args, "--config", writeResetConfig(t, file))
	}
	opts := newResetOptions()
	cmd := newResetCmd(IOStreams{In: strings.NewReader(""), Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}}, opts)
	if err := cmd.ParseFlags(args); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	ctx := workflow.WithReporter(t.Context(), &workflow.TextReporter{Out: &out})
	d, err := newResetData(ctx, cmd, opts, strings.NewReader(""))
	return d, out.String(), err
}

// writeResetConfig writes file as reset.yaml in a new directory.
func writeResetConfig(t *testing.T, file string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "reset.yaml")
	if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestResetFlags(t *testing.T) {
	t.Parallel()
	d, _, err := parseReset(t, "", "-f", "--dry-run", "--cleanup-tmp-dir", "--cri-socket", "/run/crio/crio.sock",
		"--ignore-preflight-errors", "IsPrivilegedUser", "--cert-dir", "/etc/kubernetes/custom-pki")
	if err != nil {
		t.Fatal(err)
	}
	if !d.Force() || !d.DryRun() || !d.CleanupTmpDir() {
		t.Errorf("force %v, dry run %v, cleanup tmp %v; want all set", d.Force(), d.DryRun(), d.CleanupTmpDir())
	}
	if d.CRISocket() != "unix:///run/crio/crio.sock" {
		t.Errorf("CRI socket %q", d.CRISocket())
	}
	if got := d.IgnorePreflightErrors(); len(got) != 1 || got[0] != "isprivilegeduser" {
		t.Errorf("ignore %v", got)
	}
	if dir, source := d.CertificatesDir(t.Context()); dir != "/etc/kubernetes/custom-pki" || source != "--cert-dir" {
		t.Errorf("certificates dir %q from %q", dir, source)
	}
}

func TestResetCertDirRefused(t *testing.T) {
	t.Parallel()
	for _, dir := range []string{"/etc", "/", "/etc/kubernetes", "/srv/pki", "pki", "/etc/kubernetes/../pki"} {
		t.Run(dir, func(t *testing.T) {
			t.Parallel()
			_, _, err := parseReset(t, "", "--cert-dir", dir)
			if err == nil || !isUsage(err) || !strings.Contains(err.Error(), "--cert-dir") {
				t.Fatalf("error %v, want a usage error naming --cert-dir", err)
			}
		})
	}
}

func kubeadmConfig(certDir string) *corev1.ConfigMap {
	return &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: "kubeadm-config", Namespace: "kube-system"},
		Data: map[string]string{"ClusterConfiguration": "apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\n" +
			"certificatesDir: " + certDir + "\netcd:\n  local:\n    dataDir: /var/lib/etcd-custom\n"},
	}
}

func TestResetCluster(t *testing.T) {
	t.Parallel()
	kubeconfig := filepath.Join(t.TempDir(), "admin.conf")
	if err := os.WriteFile(kubeconfig, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		kubeconfig string
		objects    []*corev1.ConfigMap
		certDirSet bool
		wantDir    string
		wantDataOK bool
		wantWarn   bool
	}{
		{"from the cluster", kubeconfig, []*corev1.ConfigMap{kubeadmConfig("/etc/kubernetes/pki2")}, false, "/etc/kubernetes/pki2", true, false},
		{"the flag wins", kubeconfig, []*corev1.ConfigMap{kubeadmConfig("/etc/kubernetes/pki2")}, true, "/etc/kubernetes/flag-pki", true, false},
		{"no ConfigMap", kubeconfig, nil, false, config.DefaultCertificatesDir, false, true},
		{"no kubeconfig", filepath.Join(t.TempDir(), "none.conf"), nil, false, config.DefaultCertificatesDir, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cs := fake.NewClientset()
			for _, cm := range tt.objects {
				if _, err := cs.CoreV1().ConfigMaps("kube-system").Create(t.Context(), cm, metav1.CreateOptions{}); err != nil {
					t.Fatal(err)
				}
			}
			d := &resetData{
				cfg: &config.ResetConfiguration{CertificatesDir: "/etc/kubernetes/flag-pki", Timeouts: config.DefaultResetConfiguration().Timeouts}, kubeconfig: tt.kubeconfig,
				fetch: clusterconfig.ReadCluster, clientFrom: func(string) (kube.Interface, error) { return kubefake.Wrap(cs), nil },
			}
			if tt.certDirSet {
				d.certDirSource = "--cert-dir"
			}
			var out bytes.Buffer
			ctx := workflow.WithReporter(t.Context(), &workflow.TextReporter{Out: &out})
			if dir, _ := d.CertificatesDir(ctx); dir != tt.wantDir {
				t.Errorf("certificates dir %q, want %q", dir, tt.wantDir)
			}
			c := d.Cluster(ctx)
			if got := c != nil && c.Etcd.Local != nil && c.Etcd.Local.DataDir == "/var/lib/etcd-custom"; got != tt.wantDataOK {
				t.Errorf("cluster %+v", c)
			}
			if warned := strings.Contains(out.String(), "WARNING: Unable to read the cluster's configuration"); warned != tt.wantWarn {
				t.Errorf("warned %v, want %v: %s", warned, tt.wantWarn, out.String())
			}
			if n := strings.Count(out.String(), "WARNING"); n > 1 {
				t.Errorf("warned %d times, want once", n)
			}
		})
	}
}

func TestResetEtcdNeedsKubeconfig(t *testing.T) {
	t.Parallel()
	connected := false
	d := &resetData{kubeconfig: filepath.Join(t.TempDir(), "none.conf"), connect: func(context.Context, kube.Interface, string) (resetphases.EtcdCluster, error) {
		connected = true
		return nil, errors.New("unexpected")
	}}
	if _, err := d.Etcd(t.Context(), config.DefaultCertificatesDir); err == nil || !strings.Contains(err.Error(), "does not exist") || connected {
		t.Errorf("Etcd = %v (connected %v), want an error about the missing kubeconfig", err, connected)
	}
}

const resetFile = `apiVersion: kubeadm.k8s.io/v1beta4
kind: ResetConfiguration
certificatesDir: /etc/kubernetes/file-pki
cleanupTmpDir: true
criSocket: unix:///run/file.sock
dryRun: true
force: true
ignorePreflightErrors: [Swap]
skipPhases: [cleanup-node]
`

func TestResetConfigPrecedence(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		args      []string
		check     func(t *testing.T, d *resetData)
		overrides []string
	}{
		{
			name: "the file alone",
			check: func(t *testing.T, d *resetData) {
				if !d.Force() || !d.DryRun() || !d.CleanupTmpDir() {
					t.Errorf("force %v, dry run %v, cleanup tmp %v; want the file's true", d.Force(), d.DryRun(), d.CleanupTmpDir())
				}
				if d.CRISocket() != "unix:///run/file.sock" {
					t.Errorf("CRI socket %q, want the file's", d.CRISocket())
				}
				if dir, source := d.CertificatesDir(t.Context()); dir != "/etc/kubernetes/file-pki" || !strings.HasPrefix(source, "certificatesDir of ") {
					t.Errorf("certificates dir %q from %q, want the file's", dir, source)
				}
				if !slices.Equal(d.cfg.SkipPhases, []string{"cleanup-node"}) {
					t.Errorf("skip phases %v", d.cfg.SkipPhases)
				}
			},
		},
		{
			name: "set flags win and are reported",
			args: []string{"--force=false", "--dry-run=false", "--cleanup-tmp-dir=false", "--cri-socket", "/run/flag.sock", "--cert-dir", "/etc/kubernetes/flag-pki"},
			check: func(t *testing.T, d *resetData) {
				if d.Force() || d.DryRun() || d.CleanupTmpDir() {
					t.Errorf("force %v, dry run %v, cleanup tmp %v; want the flags' false", d.Force(), d.DryRun(), d.CleanupTmpDir())
				}
				if d.CRISocket() != "unix:///run/flag.sock" {
					t.Errorf("CRI socket %q, want the flag's", d.CRISocket())
				}
				if dir, source := d.CertificatesDir(t.Context()); dir != "/etc/kubernetes/flag-pki" || source != "--cert-dir" {
					t.Errorf("certificates dir %q from %q, want the flag's", dir, source)
				}
			},
			overrides: []string{
				"--force overrides force", "--dry-run overrides dryRun", "--cleanup-tmp-dir overrides cleanupTmpDir",
				"--cri-socket overrides criSocket", "--cert-dir overrides certificatesDir",
			},
		},
		{
			name: "a flag equal to the file is no override",
			args: []string{"--force", "--cri-socket", "unix:///run/file.sock"},
			check: func(t *testing.T, d *resetData) {
				if !d.Force() {
					t.Error("force lost")
				}
			},
		},
		{
			name: "ignore lists merge, lowercased",
			args: []string{"--ignore-preflight-errors", "IsPrivilegedUser,swap"},
			check: func(t *testing.T, d *resetData) {
				if want := []string{"swap", "isprivilegeduser"}; !slices.Equal(d.IgnorePreflightErrors(), want) {
					t.Errorf("ignore %v, want %v", d.IgnorePreflightErrors(), want)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, out, err := parseReset(t, resetFile, tt.args...)
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, d)
			for _, o := range tt.overrides {
				if !strings.Contains(out, "[config] "+o+" from ") {
					t.Errorf("override %q not reported in:\n%s", o, out)
				}
			}
			if got := strings.Count(out, "[config] "); got != len(tt.overrides) {
				t.Errorf("%d overrides reported, want %d:\n%s", got, len(tt.overrides), out)
			}
		})
	}
}

func TestResetConfigDefaultsWithoutCertDir(t *testing.T) {
	t.Parallel()
	d, _, err := parseReset(t, "apiVersion: kubeadm.k8s.io/v1beta4\nkind: ResetConfiguration\nforce: true\n")
	if err != nil {
		t.Fatal(err)
	}
	if d.certDirSource != "" {
		t.Errorf("certificates dir source %q: a file without certificatesDir must leave the choice to the cluster's configuration", d.certDirSource)
	}
	if d.cfg.CertificatesDir != config.DefaultCertificatesDir || d.cfg.Timeouts == nil {
		t.Errorf("configuration not defaulted: %+v", d.cfg)
	}
}

func TestResetConfigErrors(t *testing.T) {
	t.Parallel()
	header := "apiVersion: kubeadm.k8s.io/v1beta4\nkind: ResetConfiguration\n"
	tests := []struct {
		name string
		file string
		args []string
		want string
	}{
		{"no ResetConfiguration", joinFile, nil, "reset needs kind ResetConfiguration, apiVersion kubeadm.k8s.io/v1beta4)"},
		{"unknown field", header + "forse: true\n", nil, `unknown field "forse"`},
		{"certificates dir kadm does not own", header + "certificatesDir: /etc\n", nil, `reset.yaml: "/etc" is a system directory`},
		{"relative certificates dir", header + "certificatesDir: pki\n", nil, "certificatesDir of "},
		{"flag checked after the file", header + "certificatesDir: /etc/kubernetes/pki\n", []string{"--cert-dir", "/srv/pki"}, "--cert-dir: "},
		{"unknown unmount flag", header + "unmountFlags: [MNT_LAZY]\n", nil, `unmountFlags[0]: unknown unmount flag "MNT_LAZY"`},
		{"bad CRI socket", header + "criSocket: tcp://10.0.0.1:1\n", nil, "criSocket: "},
		{"all with other names", header + "ignorePreflightErrors: [all]\n", []string{"--ignore-preflight-errors", "Swap"}, "do not name individual checks together with 'all'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, _, err := parseReset(t, tt.file, tt.args...)
			requireUsageError(t, err, tt.want)
		})
	}
}

// TestResetConfigSkipPhases runs reset; every run stops before anything
// could change the host: all phases are skipped, the prompt gets no answer,
// or the skip list is refused.
func TestResetConfigSkipPhases(t *testing.T) {
	t.Parallel()
	header := "apiVersion: kubeadm.k8s.io/v1beta4\nkind: ResetConfiguration\n"
	tests := []struct {
		name    string
		file    string
		args    []string
		wantErr string
		wantOut []string
		notOut  []string
	}{
		{
			name:    "the file's skipPhases apply",
			file:    header + "skipPhases: [preflight, remove-etcd-member, cleanup-node]\n",
			wantOut: []string{"The reset process does not clean up"},
			notOut:  []string{"Are you sure", "pre-flight"},
		},
		{
			name:    "--skip-phases replaces them",
			file:    header + "skipPhases: [preflight, remove-etcd-member, cleanup-node]\n",
			args:    []string{"--skip-phases", "remove-etcd-member,cleanup-node"},
			wantErr: "won't proceed",
			wantOut: []string{"Are you sure"},
		},
		{
			name:    "an unknown phase in the file",
			file:    header + "skipPhases: [cleanup]\n",
			wantErr: `skipPhases in the configuration: unknown phase "cleanup"`,
			notOut:  []string{"Are you sure"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out, errOut bytes.Buffer
			argv := append([]string{"kadm", "reset", "--config", writeResetConfig(t, tt.file)}, tt.args...)
			err := Run(t.Context(), argv, IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut})
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("error %v, want %q", err, tt.wantErr)
			}
			for _, w := range tt.wantOut {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out.String())
				}
			}
			for _, n := range tt.notOut {
				if strings.Contains(out.String(), n) {
					t.Errorf("output has %q:\n%s", n, out.String())
				}
			}
		})
	}
}

func TestUnmountFlags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		names []string
		want  int
	}{
		{nil, 0},
		{[]string{config.UnmountFlagForce}, 0x1},
		{[]string{config.UnmountFlagDetach, config.UnmountFlagNoFollow}, 0x2 | 0x8},
		{config.UnmountFlagNames(), 0x1 | 0x2 | 0x4 | 0x8},
	}
	for _, tt := range tests {
		if got := unmountFlags(tt.names); got != tt.want {
			t.Errorf("unmountFlags(%v) = %#x, want %#x", tt.names, got, tt.want)
		}
	}
}
