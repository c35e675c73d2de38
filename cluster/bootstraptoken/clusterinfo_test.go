package bootstraptoken

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/client-go/tools/clientcmd"

	"github.com/kadm-project/kadm/internal/golden"
)

func readCA(t *testing.T) []byte {
	t.Helper()
	ca, err := os.ReadFile(filepath.Join("testdata", "ca.crt"))
	if err != nil {
		t.Fatal(err)
	}
	return ca
}

func TestClusterInfo(t *testing.T) {
	t.Parallel()
	ca := readCA(t)
	cm, err := ClusterInfo(ca, "https://10.0.0.1:6443")
	if err != nil {
		t.Fatal(err)
	}
	if cm.Namespace != "kube-public" || cm.Name != "cluster-info" || len(cm.Data) != 1 {
		t.Fatalf("ConfigMap %s/%s with keys %d", cm.Namespace, cm.Name, len(cm.Data))
	}
	kc := cm.Data["kubeconfig"]
	golden.Assert(t, filepath.Join("testdata", "cluster-info.kubeconfig"), []byte(kc))

	cfg, err := clientcmd.Load([]byte(kc))
	if err != nil {
		t.Fatalf("cluster-info does not load as a kubeconfig: %v", err)
	}
	if len(cfg.AuthInfos) != 0 || len(cfg.Clusters) != 1 {
		t.Errorf("want one cluster and no users, got %d clusters and %d users", len(cfg.Clusters), len(cfg.AuthInfos))
	}
	for _, c := range cfg.Clusters {
		if c.Server != "https://10.0.0.1:6443" || !bytes.Equal(c.CertificateAuthorityData, ca) {
			t.Errorf("cluster = %+v", c)
		}
	}
}

func TestClusterInfoRejectsBadInput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		ca     []byte
		server string
		want   string
	}{
		{"not a certificate", []byte("hello"), "https://10.0.0.1:6443", "CA certificate"},
		{"no server", readCA(t), "", "API server URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ClusterInfo(tt.ca, tt.server)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want one mentioning %q", err, tt.want)
			}
		})
	}
}
