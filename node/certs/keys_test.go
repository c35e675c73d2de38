package certs

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kadm-project/kadm/config"
)

func TestKeysToGenerate(t *testing.T) {
	t.Parallel()
	local := testCluster(config.EncryptionAlgorithmECDSAP256)
	external := testCluster(config.EncryptionAlgorithmECDSAP256)
	external.Etcd = config.Etcd{External: &config.ExternalEtcd{}}
	tests := []struct {
		name    string
		cluster *config.ClusterConfiguration
		prepare func(t *testing.T, dir string)
		want    int
	}{
		{name: "empty directory", cluster: local, want: 11},
		{name: "external etcd", cluster: external, want: 6},
		{name: "complete directory", cluster: local, prepare: func(t *testing.T, dir string) {
			mustCreateAll(t, dir, testSpecs(t, local), local.EncryptionAlgorithm)
		}, want: 0},
		{name: "external CA", cluster: local, prepare: func(t *testing.T, dir string) {
			mustCreateAll(t, dir, testSpecs(t, local), local.EncryptionAlgorithm)
			remove(t, dir, "ca.key")
			remove(t, dir, "apiserver.crt")
			remove(t, dir, "apiserver.key")
			remove(t, dir, "front-proxy-client.crt")
			remove(t, dir, "front-proxy-client.key")
		}, want: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if tt.prepare != nil {
				tt.prepare(t, dir)
			}
			if got := KeysToGenerate(dir, ForCluster(tt.cluster), true); got != tt.want {
				t.Errorf("%d keys to generate, want %d", got, tt.want)
			}
		})
	}
}

func TestSeed(t *testing.T) {
	t.Parallel()
	src, dst := t.TempDir(), filepath.Join(t.TempDir(), "pki")
	cluster := testCluster(config.EncryptionAlgorithmECDSAP256)
	mustCreateAll(t, src, testSpecs(t, cluster), cluster.EncryptionAlgorithm)
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dst, "ca.crt"), []byte("already here"), 0o644); err != nil {
		t.Fatal(err)
	}
	etcdCA, _ := Lookup("etcd-ca")
	files := append([]string{"ca.crt", "ca.key", "not-there.crt", ServiceAccountKeyFile}, etcdCA.Files()...)
	if err := Seed(src, dst, files...); err != nil {
		t.Fatal(err)
	}
	got := snapshot(t, dst)
	want := map[string]string{filepath.Join(dst, "ca.crt"): "already here"}
	for _, f := range []string{"ca.key", ServiceAccountKeyFile, "etcd/ca.crt", "etcd/ca.key"} {
		b, err := os.ReadFile(filepath.Join(src, f))
		if err != nil {
			t.Fatal(err)
		}
		want[filepath.Join(dst, f)] = string(b)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("seeded files (-want +got):\n%s", diff)
	}
	checkModes(t, dst)
}
