package bootstraptoken

import (
	"errors"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	bootstrapapi "k8s.io/cluster-bootstrap/token/api"
	bootstraputil "k8s.io/cluster-bootstrap/token/util"

	"github.com/kadm-project/kadm/config"
)

// Secret is the kube-system Secret that makes t usable: the API server
// authenticates the token from it and the token cleaner deletes it when it
// expires. Expires wins over TTL; a zero TTL means the token never expires.
// now anchors the TTL so tests get fixed expirations.
func Secret(t config.BootstrapToken, now time.Time) (*corev1.Secret, error) {
	if t.Token == nil || t.Token.ID == "" || t.Token.Secret == "" {
		return nil, errors.New("bootstrap token has no value: generate one or set bootstrapTokens[].token")
	}
	data := map[string][]byte{
		bootstrapapi.BootstrapTokenIDKey:     []byte(t.Token.ID),
		bootstrapapi.BootstrapTokenSecretKey: []byte(t.Token.Secret),
	}
	if t.Description != "" {
		data[bootstrapapi.BootstrapTokenDescriptionKey] = []byte(t.Description)
	}
	switch {
	case t.Expires != nil:
		data[bootstrapapi.BootstrapTokenExpirationKey] = []byte(t.Expires.UTC().Format(time.RFC3339))
	case t.TTL != nil && t.TTL.Duration > 0:
		data[bootstrapapi.BootstrapTokenExpirationKey] = []byte(now.Add(t.TTL.Duration).UTC().Format(time.RFC3339))
	}
	for _, usage := range t.Usages {
		data[bootstrapapi.BootstrapTokenUsagePrefix+usage] = []byte("true")
	}
	if len(t.Groups) > 0 {
		data[bootstrapapi.BootstrapTokenExtraGroupsKey] = []byte(strings.Join(t.Groups, ","))
	}
	return &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{
			Name:      bootstraputil.BootstrapTokenSecretName(t.Token.ID),
			Namespace: metav1.NamespaceSystem,
		},
		Type: bootstrapapi.SecretTypeBootstrapToken,
		Data: data,
	}, nil
}
