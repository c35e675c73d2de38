package cleanup

import (
	"strings"
)

// Target is one thing to remove: a file (or symbolic link), or the contents
// of a directory, which itself stays, as kubeadm keeps it.
type Target struct {
	Path string
	// Contents selects the directory's contents rather than the path.
	Contents bool
}

// Paths lists the targets' paths, for messages.
func Paths(ts []Target) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Path
	}
	return out
}

// Format renders paths the way kubeadm's reset messages show a list.
func Format(paths []string) string {
	return "[" + strings.Join(paths, " ") + "]"
}
