package bootstraptoken

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/kadm-project/kadm/cluster/kube/kubefake"
	"github.com/kadm-project/kadm/cluster/objects"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
)

func TestIDs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		args    []string
		want    string
		wantErr string
	}{
		{"token ID", []string{"abcdef"}, "abcdef", ""},
		{"whole token", []string{"abcdef.0123456789abcdef"}, "abcdef", ""},
		{"several", []string{"abcdef", "ghijkl.0123456789abcdef"}, "abcdef,ghijkl", ""},
		{"bad secret", []string{"abcdef.SECRETSECRETSECR"}, "", "argument 1"},
		{"one bad among good", []string{"abcdef", "ABCDEF.TOPSECRETVALUE99"}, "", "argument 2"},
		{"too short", []string{"abc"}, "", "argument 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ids, err := IDs(tt.args)
			if tt.wantErr == "" {
				if err != nil || strings.Join(ids, ",") != tt.want {
					t.Fatalf("got %v, %v; want %s", ids, err, tt.want)
				}
				return
			}
			if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), tt.wantErr) || ids != nil {
				t.Fatalf("got %v, %v; want ErrFormat naming %s and no IDs", ids, err, tt.wantErr)
			}
			for _, a := range tt.args {
				if _, secret, ok := strings.Cut(a, "."); ok && strings.Contains(err.Error(), secret) {
					t.Errorf("the error shows a secret: %v", err)
				}
			}
		})
	}
}

func TestDelete(t *testing.T) {
	t.Parallel()
	client := fake.NewClientset(tokenSecret("abcdef", nil))
	if err := Delete(context.Background(), kubefake.Wrap(client), objects.Policy{}, "abcdef"); err != nil {
		t.Fatal(err)
	}
	_, err := client.CoreV1().Secrets(metav1.NamespaceSystem).Get(context.Background(), "bootstrap-token-abcdef", metav1.GetOptions{})
	if !apierrors.IsNotFound(err) {
		t.Errorf("after Delete the Secret is still there (get: %v)", err)
	}
	err = Delete(context.Background(), kubefake.Wrap(client), objects.Policy{}, "abcdef")
	if !apierrors.IsNotFound(err) || !strings.Contains(err.Error(), `"abcdef"`) {
		t.Errorf("deleting an absent token: got %v, want a not-found error naming the ID", err)
	}
}
