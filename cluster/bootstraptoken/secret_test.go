package bootstraptoken

import (
	"strings"
	"testing"
	"time"

	"github.com/kadm-project/kadm/cluster/kube/kubefake"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/kadm-project/kadm/cluster/objects"
	"github.com/kadm-project/kadm/config"
)

var now = time.Date(2026, 3, 1, 10, 0, 0, 0, time.FixedZone("CET", 3600))

func token(t *testing.T, s string) *config.BootstrapTokenString {
	t.Helper()
	tok, err := config.NewBootstrapTokenString(s)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestSecret(t *testing.T) {
	t.Parallel()
	expires := metav1.NewTime(time.Date(2026, 4, 1, 12, 0, 0, 0, time.FixedZone("X", -7200)))
	tests := []struct {
		name string
		in   config.BootstrapToken
		want map[string]string
	}{
		{
			name: "kubeadm's default token",
			in: config.BootstrapToken{TTL: &metav1.Duration{Duration: 24 * time.Hour},
				Usages: config.DefaultTokenUsages(), Groups: []string{config.DefaultTokenGroup}},
			want: map[string]string{
				"token-id": "abcdef", "token-secret": "0123456789abcdef", "expiration": "2026-03-02T09:00:00Z",
				"usage-bootstrap-signing": "true", "usage-bootstrap-authentication": "true",
				"auth-extra-groups": "system:bootstrappers:kubeadm:default-node-token",
			},
		},
		{
			name: "expires wins over ttl, groups joined, description kept",
			in: config.BootstrapToken{Description: "for CI", Expires: &expires, TTL: &metav1.Duration{Duration: time.Hour},
				Groups: []string{"system:bootstrappers:a", "system:bootstrappers:b"}},
			want: map[string]string{
				"token-id": "abcdef", "token-secret": "0123456789abcdef", "expiration": "2026-04-01T14:00:00Z",
				"description": "for CI", "auth-extra-groups": "system:bootstrappers:a,system:bootstrappers:b",
			},
		},
		{
			name: "zero ttl never expires",
			in:   config.BootstrapToken{TTL: &metav1.Duration{}, Usages: []string{"signing"}},
			want: map[string]string{"token-id": "abcdef", "token-secret": "0123456789abcdef", "usage-bootstrap-signing": "true"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.in.Token = token(t, "abcdef.0123456789abcdef")
			s, err := Secret(tt.in, now)
			if err != nil {
				t.Fatal(err)
			}
			if s.Name != "bootstrap-token-abcdef" || s.Namespace != "kube-system" || s.Type != "bootstrap.kubernetes.io/token" {
				t.Errorf("secret %s/%s of type %s", s.Namespace, s.Name, s.Type)
			}
			got := map[string]string{}
			for k, v := range s.Data {
				got[k] = string(v)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("data (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSecretWithoutTokenFails(t *testing.T) {
	t.Parallel()
	for _, tok := range []*config.BootstrapTokenString{nil, {}} {
		if _, err := Secret(config.BootstrapToken{Token: tok}, now); err == nil {
			t.Errorf("Secret(%v) succeeded", tok)
		}
	}
}

func TestTokenSecretCreateOrUpdate(t *testing.T) {
	t.Parallel()
	existing := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "bootstrap-token-abcdef", Namespace: "kube-system"},
		Type:       "bootstrap.kubernetes.io/token",
		Data: map[string][]byte{"token-id": []byte("abcdef"), "token-secret": []byte("ffffffffffffffff"),
			"usage-bootstrap-signing": []byte("true"), "expiration": []byte("2020-01-01T00:00:00Z")},
	}
	tests := []struct {
		name     string
		existing []*corev1.Secret
		runs     int
	}{
		{"new token", nil, 1},
		{"rerun with the same token", nil, 2},
		{"existing token with another secret and usages is updated", []*corev1.Secret{existing}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cs := fake.NewClientset()
			for _, s := range tt.existing {
				if _, err := cs.CoreV1().Secrets("kube-system").Create(t.Context(), s.DeepCopy(), metav1.CreateOptions{}); err != nil {
					t.Fatal(err)
				}
			}
			w := &objects.Client{Clientset: kubefake.Wrap(cs), Policy: objects.Policy{Interval: time.Millisecond}}
			want, err := Secret(config.BootstrapToken{Token: token(t, "abcdef.0123456789abcdef"), TTL: &metav1.Duration{Duration: time.Hour},
				Usages: []string{"authentication"}}, now)
			if err != nil {
				t.Fatal(err)
			}
			for range tt.runs {
				if _, err := w.Apply(t.Context(), want); err != nil {
					t.Fatalf("run: %v", err)
				}
			}
			got, err := cs.CoreV1().Secrets("kube-system").Get(t.Context(), "bootstrap-token-abcdef", metav1.GetOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want.Data, got.Data); diff != "" {
				t.Errorf("stored data (-want +got):\n%s", diff)
			}
			if strings.Contains(string(got.Data["usage-bootstrap-signing"]), "true") {
				t.Error("an old usage survived the update")
			}
		})
	}
}
