package patches

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/types"
)

// patchTypes maps the "+patchtype" part of a file name to its patch type, in
// the order kubeadm tries them.
var patchTypes = []struct {
	name string
	typ  types.PatchType
}{
	{"json", types.JSONPatchType},
	{"merge", types.MergePatchType},
	{"strategic", types.StrategicMergePatchType},
}

func patchTypeNames() []string {
	names := make([]string, len(patchTypes))
	for i, p := range patchTypes {
		names[i] = p.name
	}
	return names
}

// shortName is how a file name spells typ.
func shortName(typ types.PatchType) string {
	for _, p := range patchTypes {
		if p.typ == typ {
			return p.name
		}
	}
	return string(typ)
}

// parseName reads "target[suffix][+patchtype].extension". A name that is not
// a patch file at all (wrong extension, unknown target) gives a reason to skip
// it, as kubeadm skips such files with a notice; a name that is a patch file
// but with a patch type kadm does not know is an error, since silently
// ignoring it would leave the user's change out.
func parseName(name string) (target string, typ types.PatchType, skip string, err error) {
	ext := name[strings.LastIndexByte(name, '.')+1:]
	if !strings.Contains(name, ".") || len(name) == len(ext)+1 || (ext != "json" && ext != "yaml") {
		return "", "", "the file extension must be one of [json yaml]", nil
	}
	for _, t := range Targets() {
		if strings.HasPrefix(name, t) {
			target = t
			break
		}
	}
	if target == "" {
		return "", "", fmt.Sprintf("unknown target, must be one of %v", Targets()), nil
	}
	rest := name[len(target):]
	rest = rest[strings.IndexAny(rest+".", ".+\n"):]
	if !strings.HasPrefix(rest, "+") {
		return target, types.StrategicMergePatchType, "", nil
	}
	for _, p := range patchTypes {
		if strings.HasPrefix(rest[1:], p.name) {
			return target, p.typ, "", nil
		}
	}
	return "", "", "", fmt.Errorf("unknown or missing patch type after '+', must be one of %v", patchTypeNames())
}
