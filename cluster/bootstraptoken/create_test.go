package bootstraptoken

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kadm-project/kadm/cluster/kube/kubefake"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
	bootstrapapi "k8s.io/cluster-bootstrap/token/api"
	bootstraputil "k8s.io/cluster-bootstrap/token/util"

	"github.com/kadm-project/kadm/cluster/objects"
	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/internal/progress"
)

func mustToken(t *testing.T, s string) *config.BootstrapTokenString {
	t.Helper()
	tok, err := config.NewBootstrapTokenString(s)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestGenerate(t *testing.T) {
	t.Parallel()
	given := mustToken(t, "abcdef.0123456789abcdef")
	ts := []config.BootstrapToken{{Token: given}, {}, {Token: &config.BootstrapTokenString{}}}
	if err := Generate(ts); err != nil {
		t.Fatal(err)
	}
	if ts[0].Token != given {
		t.Error("Generate replaced a given token")
	}
	for i, tok := range ts[1:] {
		if tok.Token == nil || !bootstraputil.IsValidBootstrapToken(tok.Token.Token()) {
			t.Errorf("token %d: got %v, want a generated token", i+1, tok.Token)
		}
	}
	if ts[1].Token.Token() == ts[2].Token.Token() {
		t.Error("two generated tokens are equal")
	}
}

func TestCreate(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	ts := []config.BootstrapToken{
		{Token: mustToken(t, "abcdef.0123456789abcdef"), TTL: &metav1.Duration{Duration: 2 * time.Hour},
			Usages: []string{"signing"}, Description: "two hours"},
		{Token: mustToken(t, "ghijkl.0123456789abcdef"), TTL: &metav1.Duration{}},
	}
	client := fake.NewClientset()
	if err := Create(context.Background(), &objects.Client{Clientset: kubefake.Wrap(client)}, ts, now); err != nil {
		t.Fatal(err)
	}
	infos, problems, err := List(context.Background(), kubefake.Wrap(client), objects.Policy{})
	if err != nil || len(problems) > 0 || len(infos) != 2 {
		t.Fatalf("after Create: %v, %v, %v", infos, problems, err)
	}
	if e := infos[0].Expires; e == nil || !e.Equal(now.Add(2*time.Hour)) || infos[0].Description != "two hours" || strings.Join(infos[0].Usages, ",") != "signing" {
		t.Errorf("abcdef: got %+v", infos[0])
	}
	if infos[1].Expires != nil {
		t.Errorf("ghijkl has a zero TTL but expires at %v", infos[1].Expires)
	}

	// creating again brings the Secret in line instead of failing
	ts[0].Description = "changed"
	if err := Create(context.Background(), &objects.Client{Clientset: kubefake.Wrap(client)}, ts[:1], now); err != nil {
		t.Fatal(err)
	}
	s, err := client.CoreV1().Secrets(metav1.NamespaceSystem).Get(context.Background(), "bootstrap-token-abcdef", metav1.GetOptions{})
	if err != nil || string(s.Data[bootstrapapi.BootstrapTokenDescriptionKey]) != "changed" {
		t.Errorf("recreating abcdef: %v, description %q", err, s.Data[bootstrapapi.BootstrapTokenDescriptionKey])
	}
}

func TestCreateDryRun(t *testing.T) {
	t.Parallel()
	var reported []string
	ctx := progress.WithSink(context.Background(), func(m string) { reported = append(reported, m) })
	ts := []config.BootstrapToken{{Token: mustToken(t, "abcdef.0123456789abcdef")}}
	if err := Create(ctx, objects.DryRun{}, ts, time.Now()); err != nil {
		t.Fatal(err)
	}
	if want := "[dryrun] Would create or update Secret \"kube-system/bootstrap-token-abcdef\"\n"; len(reported) != 1 || reported[0] != want {
		t.Errorf("dry run reported %v, want [%s]", reported, want)
	}
}
