package copycerts

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	bootstraputil "k8s.io/cluster-bootstrap/token/util"

	"github.com/kadm-project/kadm/cluster/bootstraptoken"
	"github.com/kadm-project/kadm/cluster/objects"
	"github.com/kadm-project/kadm/config"
)

// Names kubeadm uses: a kubeadm node joining a kadm cluster reads them.
const (
	SecretName = "kubeadm-certs"
	RBACName   = "kubeadm:kubeadm-certs"
	// TokenTTL is how long the uploaded certificates stay readable: the
	// Secret is owned by a token that expires after it, and the garbage
	// collector deletes the Secret with the token.
	TokenTTL         = 2 * time.Hour
	tokenDescription = "Proxy for managing TTL for the kubeadm-certs secret"
)

// Bundle reads files and seals each with key, giving the kubeadm-certs
// data. A missing file becomes an empty entry, as in kubeadm, so that a
// cluster whose CA key stays outside (external CA) still shares the rest.
func Bundle(files []File, key string) (map[string][]byte, error) {
	k, err := decodeKey(key)
	if err != nil {
		return nil, err
	}
	data := make(map[string][]byte, len(files))
	for _, f := range files {
		if f.Path == "" {
			data[f.Entry] = nil
			continue
		}
		plain, err := os.ReadFile(f.Path)
		if errors.Is(err, fs.ErrNotExist) {
			data[f.Entry] = nil
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read %s for %s: %w", f.Path, SecretName, err)
		}
		if data[f.Entry], err = Encrypt(plain, k); err != nil {
			return nil, fmt.Errorf("encrypt %s: %w", f.Path, err)
		}
	}
	return data, nil
}

// Upload stores data in the kubeadm-certs Secret. Each upload creates a
// fresh token without usages (it cannot authenticate or sign) whose only
// job is to expire after TokenTTL and take the Secret with it, and gives
// the Secret to it; the RBAC lets joining nodes' bootstrap tokens read it.
func Upload(ctx context.Context, w objects.Writer, data map[string][]byte, now time.Time) error {
	raw, err := bootstraputil.GenerateBootstrapToken()
	if err != nil {
		return fmt.Errorf("generate the token that owns %s: %w", SecretName, err)
	}
	tok, err := config.NewBootstrapTokenString(raw)
	if err != nil {
		return fmt.Errorf("generate the token that owns %s: %w", SecretName, err)
	}
	tokenSecret, err := bootstraptoken.Secret(config.BootstrapToken{
		Token: tok, Description: tokenDescription, TTL: &metav1.Duration{Duration: TokenTTL},
	}, now)
	if err != nil {
		return err
	}
	stored, err := w.Apply(ctx, tokenSecret)
	if err != nil {
		return err
	}
	owner, ok := stored.(*corev1.Secret)
	if !ok {
		return fmt.Errorf("store the token that owns %s: got a %T back", SecretName, stored)
	}
	secret := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{
			Name: SecretName, Namespace: metav1.NamespaceSystem,
			OwnerReferences: []metav1.OwnerReference{*metav1.NewControllerRef(owner, corev1.SchemeGroupVersion.WithKind("Secret"))},
		},
		Type: corev1.SecretTypeOpaque,
		Data: data,
	}
	if _, err := w.Apply(ctx, secret); err != nil {
		return err
	}
	return objects.ApplyAll(ctx, w, RBAC()...)
}

// RBAC lets bootstrap tokens read kubeadm-certs: a joining control-plane
// node downloads it before it has credentials of its own.
func RBAC() []runtime.Object {
	return []runtime.Object{
		&rbacv1.Role{
			ObjectMeta: metav1.ObjectMeta{Name: RBACName, Namespace: metav1.NamespaceSystem},
			Rules: []rbacv1.PolicyRule{{
				Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"secrets"},
				ResourceNames: []string{SecretName},
			}},
		},
		&rbacv1.RoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: RBACName, Namespace: metav1.NamespaceSystem},
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: RBACName},
			// The API group is what the server defaults, so reruns compare equal.
			Subjects: []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: rbacv1.GroupKind, Name: bootstraptoken.NodeBootstrapTokenGroup}},
		},
	}
}
