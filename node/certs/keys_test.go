package certs

import (
	"context"
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
			if got := KeysToGenerate(At(dir), ForCluster(tt.cluster), true); got != tt.want {
				t.Errorf("%d keys to generate, want %d", got, tt.want)
			}
		})
	}
}

// TestDryRunTree: a dry run reads the host's tree where it is, copies no
// key out of it, signs nothing with a host CA's key and changes nothing on
// the host; what the host lacks entirely it generates in its own directory.
func TestDryRunTree(t *testing.T) {
	t.Parallel()
	alg := config.EncryptionAlgorithmECDSAP256
	cluster := testCluster(alg)
	specs := testSpecs(t, cluster)
	cas := []string{"ca", "front-proxy-ca", "etcd-ca"}
	tests := []struct {
		name string
		// host prepares the host's tree.
		host func(t *testing.T, dir string)
		want map[string]Action
		// written are the files the dry run writes into its own directory.
		written []string
		keys    int
	}{
		{
			name: "empty host: a throwaway tree in the dry run's directory",
			host: func(*testing.T, string) {},
			want: map[string]Action{"ca": Generated, "apiserver": Generated, "etcd-ca": Generated, "etcd-server": Generated, ServiceAccountBaseName: Generated},
			written: []string{"ca.crt", "ca.key", "apiserver.crt", "apiserver.key", "etcd/ca.key", "etcd/server.key",
				ServiceAccountKeyFile, ServiceAccountPubFile},
			keys: len(specs) + 1,
		},
		{
			name: "host CAs only: the leaves are reported, not signed",
			host: func(t *testing.T, dir string) {
				for _, name := range cas {
					if _, err := Create(context.Background(), At(dir), specNamed(t, specs, name), nil); err != nil {
						t.Fatal(err)
					}
				}
			},
			want: map[string]Action{"ca": Reused, "front-proxy-ca": Reused, "apiserver": WouldSign, "front-proxy-client": WouldSign,
				"etcd-peer": WouldSign, ServiceAccountBaseName: Generated},
			written: []string{ServiceAccountKeyFile, ServiceAccountPubFile},
			keys:    1,
		},
		{
			name: "complete host tree: everything checked in place",
			host: func(t *testing.T, dir string) { mustCreateAll(t, dir, specs, alg) },
			want: map[string]Action{"ca": Reused, "apiserver": Reused, "etcd-healthcheck-client": Reused, ServiceAccountBaseName: Reused},
		},
		{
			name: "external host CA: its leaves checked in place",
			host: func(t *testing.T, dir string) {
				mustCreateAll(t, dir, specs, alg)
				if err := os.Remove(filepath.Join(dir, "ca.key")); err != nil {
					t.Fatal(err)
				}
			},
			want: map[string]Action{"ca": ReusedKeyless, "apiserver": Reused, "apiserver-kubelet-client": Reused},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			host, own := filepath.Join(t.TempDir(), "pki"), filepath.Join(t.TempDir(), "dryrun", "pki")
			tt.host(t, host)
			before := snapshot(t, host)
			tree := DryRun(own, host)
			if got := KeysToGenerate(tree, ForCluster(cluster), true); got != tt.keys {
				t.Errorf("KeysToGenerate = %d, want %d", got, tt.keys)
			}
			res, err := createAll(context.Background(), tree, specs, alg, nil)
			if err != nil {
				t.Fatal(err)
			}
			for name, want := range tt.want {
				if got := res[name].Action; got != want {
					t.Errorf("%s: action %v, want %v", name, got, want)
				}
			}
			if diff := cmp.Diff(before, snapshot(t, host)); diff != "" {
				t.Errorf("the dry run changed the host's tree (-before +after):\n%s", diff)
			}
			written := snapshot(t, own)
			for _, f := range tt.written {
				if _, ok := written[filepath.Join(own, f)]; !ok {
					t.Errorf("%s was not written into the dry run's directory", f)
				}
			}
			if len(tt.written) == 0 && len(written) != 0 {
				t.Errorf("the dry run wrote %v, want nothing", keysOf(written))
			}
			for path, data := range written {
				for hostPath, hostData := range before {
					if data == hostData {
						t.Errorf("%s is a copy of the host's %s", path, hostPath)
					}
				}
			}
		})
	}
}

func keysOf(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
