package certs

import (
	"context"
	"os"
	"testing"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/pkiutil"
)

// BenchmarkCertsAll measures `init phase certs all` as the phases run it:
// every certificate and the service account pair in order, each written to
// disk. "parallel" warms a key pool first, as the parent certs phase does;
// "sequential" generates each key when its certificate needs it.
func BenchmarkCertsAll(b *testing.B) {
	for _, mode := range []string{"sequential", "parallel"} {
		for _, alg := range []config.EncryptionAlgorithmType{config.EncryptionAlgorithmRSA2048, config.EncryptionAlgorithmECDSAP256} {
			b.Run(mode+"/"+string(alg), func(b *testing.B) {
				cluster := testCluster(alg)
				specs := testSpecs(b, cluster)
				ctx := context.Background()
				root := b.TempDir()
				for b.Loop() {
					dir, err := os.MkdirTemp(root, "pki-")
					if err != nil {
						b.Fatal(err)
					}
					var keys *pkiutil.KeyPool
					if mode == "parallel" {
						keys = pkiutil.NewKeyPool()
						keys.Warm(ctx, alg, KeysToGenerate(At(dir), ForCluster(cluster), true))
					}
					if _, err := createAll(ctx, At(dir), specs, alg, keys); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
