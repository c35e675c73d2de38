package config

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/kadm-project/kadm/internal/golden"
)

func TestPrintDefaultsGolden(t *testing.T) {
	t.Parallel()
	both := []string{KindKubeletConfiguration, KindKubeProxyConfiguration}
	tests := []struct {
		golden     string
		print      func([]string) ([]byte, error)
		components []string
	}{
		{"print/init.yaml", PrintInitDefaults, nil},
		{"print/init-components.yaml", PrintInitDefaults, both},
		{"print/join.yaml", func([]string) ([]byte, error) { return PrintJoinDefaults() }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			t.Parallel()
			got, err := tt.print(tt.components)
			if err != nil {
				t.Fatal(err)
			}
			golden.Assert(t, filepath.Join("testdata", tt.golden), got)
		})
	}
}

// TestPrintedDefaultsValidate checks kubeadm's promise for its placeholders: the printed
// file loads and validates as is.
func TestPrintedDefaultsValidate(t *testing.T) {
	t.Parallel()
	both := []string{KindKubeletConfiguration, KindKubeProxyConfiguration}
	initOut, err := PrintInitDefaults(both)
	if err != nil {
		t.Fatal(err)
	}
	d, err := Parse("init.yaml", initOut)
	if err != nil {
		t.Fatalf("printed init defaults do not load: %v", err)
	}
	SetInitDefaults(d.Init)
	SetClusterDefaults(d.Cluster)
	if err := ValidateInit(d.Init, d.Cluster); err != nil {
		t.Errorf("printed init defaults do not validate: %v", err)
	}
	if len(d.Components) != 2 {
		t.Errorf("got %d component configs, want 2", len(d.Components))
	}

	joinOut, err := PrintJoinDefaults()
	if err != nil {
		t.Fatal(err)
	}
	d, err = Parse("join.yaml", joinOut)
	if err != nil {
		t.Fatalf("printed join defaults do not load: %v", err)
	}
	if err := ValidateJoin(d.Join); err != nil {
		t.Errorf("printed join defaults do not validate: %v", err)
	}
}

func TestPrintUnknownComponent(t *testing.T) {
	t.Parallel()
	_, err := PrintInitDefaults([]string{"KubeletConfiguration", "SchedulerConfiguration"})
	if err == nil || !strings.Contains(err.Error(), `"SchedulerConfiguration"`) {
		t.Errorf("error = %v, want one naming SchedulerConfiguration", err)
	}
}

func TestClusterDNSIP(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"10.96.0.0/12":              "10.96.0.10",
		"192.168.0.0/24,fd00::/108": "192.168.0.10",
		"fd00:1::/108":              "fd00:1::a",
		"not-a-cidr":                DefaultClusterDNSIP,
	}
	for subnet, want := range tests {
		if got := ClusterDNSIP(subnet); got != want {
			t.Errorf("ClusterDNSIP(%q) = %q, want %q", subnet, got, want)
		}
	}
}
