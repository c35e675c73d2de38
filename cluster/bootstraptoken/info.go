package bootstraptoken

import (
	"fmt"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	bootstrapapi "k8s.io/cluster-bootstrap/token/api"
	bootstraputil "k8s.io/cluster-bootstrap/token/util"
)

// Info is what a listing shows of a bootstrap token: everything but the
// secret, which kadm reads from the Secret only to check it and then drops.
type Info struct {
	ID          string
	Description string
	// Expires is nil for a token that never expires.
	Expires *time.Time
	// Usages are sorted; Groups keep the Secret's order.
	Usages []string
	Groups []string
}

// FromSecret reads a bootstrap-token Secret. It applies kubeadm's checks (a
// token ID that names the Secret, a well-formed secret, an RFC 3339
// expiration) and its errors name the Secret, never the token's secret.
func FromSecret(s *corev1.Secret) (Info, error) {
	id := string(s.Data[bootstrapapi.BootstrapTokenIDKey])
	if id == "" {
		return Info{}, fmt.Errorf("bootstrap token Secret %s has no %s", s.Name, bootstrapapi.BootstrapTokenIDKey)
	}
	if want := bootstraputil.BootstrapTokenSecretName(id); s.Name != want {
		return Info{}, fmt.Errorf("bootstrap token Secret %s holds token ID %q, so it should be named %s", s.Name, id, want)
	}
	secret := string(s.Data[bootstrapapi.BootstrapTokenSecretKey])
	if secret == "" {
		return Info{}, fmt.Errorf("bootstrap token Secret %s has no %s", s.Name, bootstrapapi.BootstrapTokenSecretKey)
	}
	if !bootstraputil.IsValidBootstrapToken(bootstraputil.TokenFromIDAndSecret(id, secret)) {
		return Info{}, fmt.Errorf("bootstrap token Secret %s holds a token that is not of the form %s", s.Name, bootstrapapi.BootstrapTokenPattern)
	}
	info := Info{ID: id, Description: string(s.Data[bootstrapapi.BootstrapTokenDescriptionKey])}
	if exp := string(s.Data[bootstrapapi.BootstrapTokenExpirationKey]); exp != "" {
		t, err := time.Parse(time.RFC3339, exp)
		if err != nil {
			return Info{}, fmt.Errorf("bootstrap token Secret %s: %s %q is not an RFC 3339 time", s.Name, bootstrapapi.BootstrapTokenExpirationKey, exp)
		}
		info.Expires = &t
	}
	for key, value := range s.Data {
		if usage, ok := strings.CutPrefix(key, bootstrapapi.BootstrapTokenUsagePrefix); ok && string(value) == "true" {
			info.Usages = append(info.Usages, usage)
		}
	}
	slices.Sort(info.Usages)
	if groups := string(s.Data[bootstrapapi.BootstrapTokenExtraGroupsKey]); groups != "" {
		info.Groups = strings.Split(groups, ",")
	}
	return info, nil
}
