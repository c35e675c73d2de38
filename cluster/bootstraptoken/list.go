package bootstraptoken

import (
	"context"
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	bootstrapapi "k8s.io/cluster-bootstrap/token/api"

	"github.com/kadm-project/kadm/cluster/kube"
	"github.com/kadm-project/kadm/cluster/objects"
)

// List returns the bootstrap tokens of the cluster, ordered by ID. A Secret
// of the bootstrap-token type that cannot be read as a token does not stop
// the listing: it is returned among problems, as kubeadm reports and skips it.
// The call is bounded by p, so a server that does not answer fails it.
func List(ctx context.Context, client kube.Interface, p objects.Policy) (infos []Info, problems []error, err error) {
	selector := fields.OneTermEqualSelector("type", string(bootstrapapi.SecretTypeBootstrapToken)).String()
	var secrets *corev1.SecretList
	err = objects.Retry(ctx, p, func(ctx context.Context) error {
		var listErr error
		secrets, listErr = client.CoreV1().Secrets(metav1.NamespaceSystem).List(ctx, metav1.ListOptions{FieldSelector: selector})
		return listErr
	})
	if err != nil {
		return nil, nil, fmt.Errorf("list the bootstrap tokens (Secrets of type %s in %s): %w", bootstrapapi.SecretTypeBootstrapToken, metav1.NamespaceSystem, err)
	}
	for i := range secrets.Items {
		s := &secrets.Items[i]
		// The field selector is the server's to apply; checking again keeps
		// other Secrets out whatever answered.
		if s.Type != bootstrapapi.SecretTypeBootstrapToken {
			continue
		}
		info, err := FromSecret(s)
		if err != nil {
			problems = append(problems, err)
			continue
		}
		infos = append(infos, info)
	}
	slices.SortFunc(infos, func(a, b Info) int { return strings.Compare(a.ID, b.ID) })
	return infos, problems, nil
}
