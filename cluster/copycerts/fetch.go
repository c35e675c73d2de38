package copycerts

import (
	"context"
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	bootstrapapi "k8s.io/cluster-bootstrap/token/api"
	bootstrapsecretutil "k8s.io/cluster-bootstrap/util/secrets"

	"github.com/kadm-project/kadm/cluster/kube"

	"github.com/kadm-project/kadm/cluster/objects"
)

// Fetch reads the kubeadm-certs Secret. When client may read the owning
// token (an admin client; a bootstrap token may not) an expired token is
// reported as ErrSecretExpired even before the Secret is collected. Every
// read is bounded by p.
func Fetch(ctx context.Context, client kube.Interface, p objects.Policy, now time.Time) (*corev1.Secret, error) {
	secrets := client.CoreV1().Secrets(metav1.NamespaceSystem)
	var secret *corev1.Secret
	err := objects.Retry(ctx, p, func(ctx context.Context) error {
		var err error
		secret, err = secrets.Get(ctx, SecretName, metav1.GetOptions{})
		return err
	})
	if apierrors.IsNotFound(err) {
		return nil, fmt.Errorf("%w in the %s namespace (it is deleted %s after the upload)",
			ErrSecretNotFound, metav1.NamespaceSystem, TokenTTL)
	}
	if err != nil {
		return nil, fmt.Errorf("read Secret %s/%s: %w", metav1.NamespaceSystem, SecretName, err)
	}
	for _, ref := range secret.OwnerReferences {
		if ref.Kind != "Secret" || !strings.HasPrefix(ref.Name, bootstrapapi.BootstrapTokenSecretPrefix) {
			continue
		}
		var owner *corev1.Secret
		err := objects.Retry(ctx, p, func(ctx context.Context) error {
			var getErr error
			owner, getErr = secrets.Get(ctx, ref.Name, metav1.GetOptions{})
			return getErr
		})
		switch {
		case apierrors.IsNotFound(err), err == nil && owner.UID != ref.UID:
			return nil, fmt.Errorf("%w: its token %s is gone", ErrSecretExpired, ref.Name)
		case err == nil && bootstrapsecretutil.HasExpired(owner, now):
			return nil, fmt.Errorf("%w: its token %s expired at %s", ErrSecretExpired, ref.Name,
				bootstrapsecretutil.GetData(owner, bootstrapapi.BootstrapTokenExpirationKey))
		}
	}
	return secret, nil
}
