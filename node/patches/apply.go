package patches

import (
	"fmt"

	jsonpatch "gopkg.in/evanphx/json-patch.v4"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/strategicpatch"
	"sigs.k8s.io/yaml"
)

// Applied records one patch document that changed a target, for the
// caller's "[patches] Applied patch of type ... to target ..." line.
type Applied struct {
	File   string
	Target string
	// Type is the patch's media type, such as
	// "application/strategic-merge-patch+json", which is how kubeadm names it
	// in its progress lines.
	Type types.PatchType
}

// Apply runs every patch for target over doc (YAML or JSON), in file order,
// and returns the result as JSON together with the patches applied. When no
// patch names target, or the Set is nil, doc is returned unchanged. An error
// names the file and the document within it that failed.
func (s *Set) Apply(target string, doc []byte) ([]byte, []Applied, error) {
	if !knownTarget(target) {
		return nil, nil, unknownTarget(target)
	}
	if !s.Has(target) {
		return doc, nil, nil
	}
	out, err := yaml.YAMLToJSON(doc)
	if err != nil {
		return nil, nil, fmt.Errorf("convert %s to JSON before patching it: %w", target, err)
	}
	var applied []Applied
	for _, f := range s.files {
		if f.target != target {
			continue
		}
		for i, p := range f.patches {
			if out, err = applyOne(f.typ, target, out, p); err != nil {
				return nil, nil, fmt.Errorf("apply document %d of patch file %q (%s) to %s: %w", i+1, f.name, f.typ, target, err)
			}
			applied = append(applied, Applied{File: f.name, Target: target, Type: f.typ})
		}
	}
	return out, applied, nil
}

func applyOne(typ types.PatchType, target string, doc, patch []byte) ([]byte, error) {
	switch typ {
	case types.JSONPatchType:
		ops, err := jsonpatch.DecodePatch(patch)
		if err != nil {
			return nil, err
		}
		return ops.Apply(doc)
	case types.MergePatchType:
		return jsonpatch.MergePatch(doc, patch)
	default:
		s, err := schema(target)
		if err != nil {
			return nil, err
		}
		return strategicpatch.StrategicMergePatch(doc, patch, s)
	}
}
