package bootstraptoken

import (
	"context"
	"strings"
	"testing"

	"github.com/kadm-project/kadm/cluster/kube/kubefake"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	bootstrapapi "k8s.io/cluster-bootstrap/token/api"

	"github.com/kadm-project/kadm/cluster/objects"
)

func TestList(t *testing.T) {
	t.Parallel()
	opaque := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "bootstrap-token-opaque", Namespace: metav1.NamespaceSystem},
		Type: corev1.SecretTypeOpaque, Data: map[string][]byte{bootstrapapi.BootstrapTokenIDKey: []byte("opaque")}}
	elsewhere := tokenSecret("zzzzzz", nil)
	elsewhere.Namespace = metav1.NamespaceDefault
	broken := tokenSecret("broken", map[string]string{bootstrapapi.BootstrapTokenSecretKey: ""})
	client := fake.NewClientset([]runtime.Object{
		tokenSecret("mnopqr", nil), tokenSecret("abcdef", nil), opaque, elsewhere, broken,
	}...)

	infos, problems, err := List(context.Background(), kubefake.Wrap(client), objects.Policy{})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, i := range infos {
		ids = append(ids, i.ID)
	}
	if got := strings.Join(ids, ","); got != "abcdef,mnopqr" {
		t.Errorf("listed %s, want abcdef,mnopqr (sorted; no opaque Secret, no other namespace, no broken token)", got)
	}
	if len(problems) != 1 || !strings.Contains(problems[0].Error(), "bootstrap-token-broken") {
		t.Errorf("problems: got %v, want one naming bootstrap-token-broken", problems)
	}
	for _, a := range client.Actions() {
		if a.GetVerb() != "list" {
			t.Errorf("listing tokens made a %s request", a.GetVerb())
		}
	}
}
