package preflight

import (
	"path/filepath"
	"strings"
)

// rel turns an absolute path into the name io/fs wants for it in Host.Root.
func rel(path string) string {
	p := strings.TrimPrefix(filepath.ToSlash(filepath.Clean(path)), "/")
	if p == "" {
		return "."
	}
	return p
}

// label is kubeadm's check name for a path: prefix, then the path with every
// "/" turned into "-", e.g. "DirAvailable--var-lib-etcd".
func label(prefix, path string) string {
	return prefix + "-" + strings.ReplaceAll(path, "/", "-")
}
