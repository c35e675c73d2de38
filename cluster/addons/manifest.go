package addons

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"
)

// Manifest renders the addon as YAML documents, each opened by "---", for
// --print-manifest: `kubectl apply -f` takes it as it is.
func (a *Addon) Manifest() ([]byte, error) {
	var b bytes.Buffer
	for _, o := range a.objects {
		doc, err := marshal(o.obj)
		if err != nil {
			return nil, err
		}
		b.WriteString("---\n")
		b.Write(doc)
	}
	return b.Bytes(), nil
}

// DryRunReport says, for --dry-run, which object kadm would create and
// what it holds, in the words kubeadm's dry-run client uses.
func (a *Addon) DryRunReport() ([]byte, error) {
	var b bytes.Buffer
	for _, o := range a.objects {
		doc, err := marshal(o.obj)
		if err != nil {
			return nil, err
		}
		gvk := o.obj.GetObjectKind().GroupVersionKind()
		group := gvk.Group
		if group == "" {
			group = "core"
		}
		meta := o.obj.(metav1.Object)
		fmt.Fprintf(&b, "[dryrun] Would perform action CREATE on resource %q in API group \"%s/%s\"\n", resourceOf(gvk.Kind), group, gvk.Version)
		fmt.Fprintf(&b, "[dryrun] Resource name %q, namespace %q\n", meta.GetName(), meta.GetNamespace())
		fmt.Fprintf(&b, "[dryrun] Attached object:\n%s\n", doc)
	}
	return b.Bytes(), nil
}

// resourceOf is the API resource of kind; every kind an addon has is a plain
// English plural.
func resourceOf(kind string) string {
	return strings.ToLower(kind) + "s"
}

// marshal renders obj as YAML without its status: kadm never sets one
// (the API server ignores it on create), and the empty stub a new object
// carries would only suggest otherwise.
func marshal(obj runtime.Object) ([]byte, error) {
	j, err := json.Marshal(obj)
	if err != nil {
		return nil, fmt.Errorf("marshal %T: %w", obj, err)
	}
	var fields map[string]any
	if err := json.Unmarshal(j, &fields); err != nil {
		return nil, fmt.Errorf("marshal %T: %w", obj, err)
	}
	delete(fields, "status")
	return yaml.Marshal(fields)
}
