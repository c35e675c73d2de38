package bootstraptoken

import (
	"context"
	"errors"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	bootstraputil "k8s.io/cluster-bootstrap/token/util"

	"github.com/kadm-project/kadm/cluster/kube"
	"github.com/kadm-project/kadm/cluster/objects"

	"github.com/kadm-project/kadm/config"
)

// The token grammar as people read it, for messages.
const (
	IDForm    = "[a-z0-9]{6}"
	TokenForm = "[a-z0-9]{6}.[a-z0-9]{16}"
)

// ErrFormat is an argument that is neither a token ID nor a whole token.
var ErrFormat = errors.New("not a bootstrap token or token ID")

// IDs turns `token delete` arguments, token IDs or whole tokens, into token
// IDs. Every argument is checked before the caller deletes anything, and an
// error names the argument by position, never by value: it may be a secret.
func IDs(args []string) ([]string, error) {
	ids := make([]string, 0, len(args))
	for i, arg := range args {
		if bootstraputil.IsValidBootstrapTokenID(arg) {
			ids = append(ids, arg)
			continue
		}
		tok, err := config.NewBootstrapTokenString(arg)
		if err != nil {
			return nil, fmt.Errorf("argument %d: %w: expected a token ID %s or a token %s (value not shown: it may be a secret)",
				i+1, ErrFormat, IDForm, TokenForm)
		}
		ids = append(ids, tok.ID)
	}
	return ids, nil
}

// SecretName is the kube-system Secret that holds the token with this ID.
func SecretName(id string) string { return bootstraputil.BootstrapTokenSecretName(id) }

// Delete deletes the Secret of the token with this ID, within p: a server
// that does not answer fails the call at p's timeout instead of holding it.
// An absent token is a not-found error (apierrors.IsNotFound), for the
// caller to point at the command that lists the tokens.
func Delete(ctx context.Context, client kube.Interface, p objects.Policy, id string) error {
	err := objects.Retry(ctx, p, func(ctx context.Context) error {
		return client.CoreV1().Secrets(metav1.NamespaceSystem).Delete(ctx, SecretName(id), metav1.DeleteOptions{})
	})
	if apierrors.IsNotFound(err) {
		return fmt.Errorf("delete bootstrap token %q: no such token (expired and removed, or never created): %w", id, err)
	}
	if err != nil {
		return fmt.Errorf("delete bootstrap token %q: %w", id, err)
	}
	return nil
}
