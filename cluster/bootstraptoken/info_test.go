package bootstraptoken

import (
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	bootstrapapi "k8s.io/cluster-bootstrap/token/api"
)

const testSecret = "0123456789abcdef"

// tokenSecret is a bootstrap-token Secret as the API server stores it.
func tokenSecret(id string, data map[string]string) *corev1.Secret {
	s := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "bootstrap-token-" + id, Namespace: metav1.NamespaceSystem},
		Type:       bootstrapapi.SecretTypeBootstrapToken,
		Data: map[string][]byte{
			bootstrapapi.BootstrapTokenIDKey:     []byte(id),
			bootstrapapi.BootstrapTokenSecretKey: []byte(testSecret),
		},
	}
	for k, v := range data {
		if v == "" {
			delete(s.Data, k)
			continue
		}
		s.Data[k] = []byte(v)
	}
	return s
}

func TestFromSecret(t *testing.T) {
	t.Parallel()
	exp := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	full := tokenSecret("abcdef", map[string]string{
		bootstrapapi.BootstrapTokenDescriptionKey:                 "for workers",
		bootstrapapi.BootstrapTokenExpirationKey:                  exp.Format(time.RFC3339),
		bootstrapapi.BootstrapTokenUsageSigningKey:                "true",
		bootstrapapi.BootstrapTokenUsagePrefix + "authentication": "true",
		bootstrapapi.BootstrapTokenUsagePrefix + "other":          "false",
		bootstrapapi.BootstrapTokenExtraGroupsKey:                 "system:bootstrappers:a,system:bootstrappers:b",
	})
	got, err := FromSecret(full)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != "abcdef" || got.Description != "for workers" || got.Expires == nil || !got.Expires.Equal(exp) ||
		strings.Join(got.Usages, ",") != "authentication,signing" ||
		strings.Join(got.Groups, ",") != "system:bootstrappers:a,system:bootstrappers:b" {
		t.Errorf("FromSecret: got %+v", got)
	}

	never, err := FromSecret(tokenSecret("ghijkl", nil))
	if err != nil {
		t.Fatal(err)
	}
	if never.Expires != nil || never.Usages != nil || never.Groups != nil {
		t.Errorf("a token without expiration, usages or groups: got %+v", never)
	}
}

func TestFromSecretRejects(t *testing.T) {
	t.Parallel()
	renamed := tokenSecret("abcdef", nil)
	renamed.Name = "bootstrap-token-zzzzzz"
	tests := []struct {
		name   string
		secret *corev1.Secret
		want   string
	}{
		{"no token ID", tokenSecret("abcdef", map[string]string{bootstrapapi.BootstrapTokenIDKey: ""}), "has no token-id"},
		{"name does not match the ID", renamed, "should be named bootstrap-token-abcdef"},
		{"no secret", tokenSecret("abcdef", map[string]string{bootstrapapi.BootstrapTokenSecretKey: ""}), "has no token-secret"},
		{"malformed secret", tokenSecret("abcdef", map[string]string{bootstrapapi.BootstrapTokenSecretKey: "TOPSECRET"}), "not of the form"},
		{"bad expiration", tokenSecret("abcdef", map[string]string{bootstrapapi.BootstrapTokenExpirationKey: "tomorrow"}), "not an RFC 3339 time"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := FromSecret(tt.secret)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error containing %q", err, tt.want)
			}
			secret := string(tt.secret.Data[bootstrapapi.BootstrapTokenSecretKey])
			if secret != "" && strings.Contains(err.Error(), secret) {
				t.Errorf("the error shows the token secret: %v", err)
			}
		})
	}
}
