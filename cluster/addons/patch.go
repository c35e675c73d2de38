package addons

import (
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"
)

// apiObject is a typed client-go object (such as *appsv1.Deployment)
// together with its struct type E, so that a fresh one can be decoded.
type apiObject[E any] interface {
	*E
	runtime.Object
	metav1.Object
}

// patched runs obj through patch for target and decodes the result. A
// patch may change the object but not which object it is: its kind, name
// and namespace stay, or kadm would create something else than it reports.
func patched[E any, P apiObject[E]](obj P, target string, patch PatchFunc) (P, error) {
	if patch == nil {
		return obj, nil
	}
	in, err := yaml.Marshal(obj)
	if err != nil {
		return nil, fmt.Errorf("marshal %s: %w", target, err)
	}
	out, err := patch(target, in)
	if err != nil {
		return nil, err
	}
	result := P(new(E))
	if err := yaml.UnmarshalStrict(out, result); err != nil {
		return nil, fmt.Errorf("decode the patched %s: %w", target, err)
	}
	was, is := obj.GetObjectKind().GroupVersionKind(), result.GetObjectKind().GroupVersionKind()
	if was != is || obj.GetName() != result.GetName() || obj.GetNamespace() != result.GetNamespace() {
		return nil, fmt.Errorf("the patches for %s turn %s %s/%s into %s %s/%s: patches may not change an object's apiVersion, kind, name or namespace",
			target, was.Kind, obj.GetNamespace(), obj.GetName(), is.Kind, result.GetNamespace(), result.GetName())
	}
	return result, nil
}
