package cleanup

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/kadm-project/kadm/config"
)

// ErrNotOwned marks a path that kadm refuses to remove.
var ErrNotOwned = errors.New("not a path kadm owns")

// systemDirs are directories no configuration value may name, whatever
// parent it claims: every top-level directory is one, and so are these.
var systemDirs = map[string]bool{
	config.DefaultKubernetesDir: true,
	"/usr/local":                true,
	"/var/cache":                true,
	config.DefaultVarLibDir:     true,
	"/var/log":                  true,
	"/var/run":                  true,
	"/var/spool":                true,
}

// Check accepts path when kadm owns it: an absolute, clean path that is not
// a system directory and lies strictly inside parent. Values taken from
// flags or the cluster's configuration go through Check before anything is
// removed from them (reset), and paths read from the cluster before
// anything is written there (a control-plane join): one rule for both.
func Check(path, parent string) error {
	switch {
	case path == "":
		return fmt.Errorf("the path is empty: %w", ErrNotOwned)
	case !filepath.IsAbs(path):
		return fmt.Errorf("%q is not an absolute path: %w", path, ErrNotOwned)
	case filepath.Clean(path) != path:
		return fmt.Errorf("%q is not a clean path (it should read %q): %w", path, filepath.Clean(path), ErrNotOwned)
	case path == "/" || filepath.Dir(path) == "/" || systemDirs[path]:
		return fmt.Errorf("%q is a system directory: %w", path, ErrNotOwned)
	}
	rel, err := filepath.Rel(parent, path)
	if err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, "../") {
		return fmt.Errorf("%q is not inside %s: %w", path, parent, ErrNotOwned)
	}
	return nil
}
