package certs

import (
	"context"
	"crypto/x509"
	"fmt"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/pkiutil"
)

var testNode = Node{Name: "cp-1", AdvertiseAddress: "10.0.0.5"}

// testCluster is a defaulted cluster whose validity periods differ from the
// defaults, so that tests see the configured ones are used.
func testCluster(alg config.EncryptionAlgorithmType) *config.ClusterConfiguration {
	c := &config.ClusterConfiguration{
		EncryptionAlgorithm:         alg,
		CertificateValidityPeriod:   &metav1.Duration{Duration: 100 * time.Hour},
		CACertificateValidityPeriod: &metav1.Duration{Duration: 1000 * time.Hour},
	}
	config.SetClusterDefaults(c)
	return c
}

func testSpecs(t testing.TB, cluster *config.ClusterConfiguration) []Spec {
	t.Helper()
	specs, err := Specs(ForCluster(cluster), testNode, cluster)
	if err != nil {
		t.Fatal(err)
	}
	return specs
}

// createAll creates specs and the service account pair in order, as the
// certs phase and its children do.
func createAll(ctx context.Context, t Tree, specs []Spec, alg config.EncryptionAlgorithmType, keys *pkiutil.KeyPool) (map[string]Result, error) {
	out := map[string]Result{}
	for _, s := range specs {
		r, err := Create(ctx, t, s, keys)
		if err != nil {
			return out, err
		}
		out[s.Name] = r
	}
	r, err := CreateServiceAccountKey(ctx, t, alg, keys)
	out[ServiceAccountBaseName] = r
	return out, err
}

func mustCreateAll(t testing.TB, dir string, specs []Spec, alg config.EncryptionAlgorithmType) map[string]Result {
	t.Helper()
	res, err := createAll(context.Background(), At(dir), specs, alg, nil)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func specNamed(t testing.TB, specs []Spec, name string) Spec {
	t.Helper()
	for _, s := range specs {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no spec %q", name)
	return Spec{}
}

// renderSpec shows what a spec asks for, one field a line.
func renderSpec(s Spec) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s.crt %s.key", s.Name, s.BaseName, s.BaseName)
	if s.CAName != "" {
		fmt.Fprintf(&b, " signed by %s", s.CAName)
	}
	fmt.Fprintf(&b, "\n  CN=%s O=%v\n", s.Config.CommonName, s.Config.Organization)
	fmt.Fprintf(&b, "  usages: %v\n  DNS: %v\n  IPs: %v\n", usageNames(s.Config.Usages), s.Config.AltNames.DNSNames, s.Config.AltNames.IPs)
	fmt.Fprintf(&b, "  validity: %s, key: %s\n", s.Config.Validity, s.Config.EncryptionAlgorithm)
	return b.String()
}

func usageNames(us []x509.ExtKeyUsage) []string {
	var out []string
	for _, u := range us {
		out = append(out, usageName(u))
	}
	return out
}
