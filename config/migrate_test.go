package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kadm-project/kadm/internal/golden"
)

func TestMigrateGolden(t *testing.T) {
	t.Parallel()
	inputs, err := filepath.Glob(filepath.Join("testdata", "migrate", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var n int
	for _, in := range inputs {
		if strings.HasSuffix(in, ".migrated.yaml") {
			continue
		}
		n++
		t.Run(filepath.Base(in), func(t *testing.T) {
			t.Parallel()
			old, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Migrate(in, old)
			if err != nil {
				t.Fatal(err)
			}
			golden.Assert(t, strings.TrimSuffix(in, ".yaml")+".migrated.yaml", got)

			again, err := Migrate("migrated.yaml", got)
			if err != nil {
				t.Fatalf("migrated output does not load: %v", err)
			}
			if string(again) != string(got) {
				t.Errorf("migrating twice changes the output:\n%s", golden.Diff("migrated", string(got), string(again)))
			}
		})
	}
	if n == 0 {
		t.Fatal("no migration inputs found")
	}
}

// TestV1Beta3Conversion pins each conversion rule on the parsed value, independently of the golden files.
func TestV1Beta3Conversion(t *testing.T) {
	t.Parallel()
	d, err := Load(filepath.Join("testdata", "migrate", "v1beta3-init.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if d.Init.APIVersion != V1Beta4 || d.Cluster.APIVersion != V1Beta4 {
		t.Errorf("converted apiVersions: %q, %q", d.Init.APIVersion, d.Cluster.APIVersion)
	}
	wantKubelet := []Arg{{"cgroup-driver", "systemd"}, {"node-labels", "tier=control"}, {"v", "5"}}
	if diff := cmp.Diff(wantKubelet, d.Init.NodeRegistration.KubeletExtraArgs); diff != "" {
		t.Errorf("kubeletExtraArgs not sorted by name (-want +got):\n%s", diff)
	}
	wantAPIServer := []Arg{{"audit-log-path", "/var/log/audit.log"}, {"authorization-mode", "Node,RBAC"}}
	if diff := cmp.Diff(wantAPIServer, d.Cluster.APIServer.ExtraArgs); diff != "" {
		t.Errorf("apiServer.extraArgs (-want +got):\n%s", diff)
	}
	wantEtcd := []Arg{{"election-timeout", "5000"}, {"listen-metrics-urls", "http://0.0.0.0:2381"}}
	if diff := cmp.Diff(wantEtcd, d.Cluster.Etcd.Local.ExtraArgs); diff != "" {
		t.Errorf("etcd.local.extraArgs (-want +got):\n%s", diff)
	}
	if to := d.Init.Timeouts; to == nil || to.ControlPlaneComponentHealthCheck.Duration != 6*time.Minute {
		t.Errorf("timeoutForControlPlane did not move to timeouts.controlPlaneComponentHealthCheck: %+v", to)
	}
	if s := d.Init.NodeRegistration.ImagePullSerial; s == nil || !*s {
		t.Errorf("imagePullSerial = %v, want true as kubeadm's conversion sets", s)
	}

	j, err := Load(filepath.Join("testdata", "migrate", "v1beta3-join.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if to := j.Join.Timeouts; to == nil || to.Discovery.Duration != 150*time.Second {
		t.Errorf("discovery.timeout did not move to timeouts.discovery: %+v", to)
	}
}

func TestMigrateErrors(t *testing.T) {
	t.Parallel()
	_, err := Migrate("old.yaml", []byte("apiVersion: kubeadm.k8s.io/v1beta2\nkind: InitConfiguration\n"))
	if err == nil || !strings.Contains(err.Error(), "old.yaml: document 1 (InitConfiguration)") {
		t.Errorf("Migrate(v1beta2) = %v, want an error naming the file and document", err)
	}
}
