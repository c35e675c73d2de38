package dryrun

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"github.com/kadm-project/kadm/internal/atomicfile"
	"github.com/kadm-project/kadm/internal/progress"
)

// Mode is the dry-run directory's: what a dry run writes (the keys of the
// throwaway certificates it makes among it) is for root only.
const Mode os.FileMode = 0o700

// Dir is one dry run's directory. The host's paths map into it under their
// own names (Path), so the files a dry run writes keep kubeadm's modes and
// show where a real run would put them.
type Dir struct {
	// Root is the directory.
	Root string
	// Env is the variable that named Root, empty when the run made Root
	// itself.
	Env string
	// made lists the directories Open created, Root last.
	made []string
}

// Open returns the dry run's directory: the one the environment variable
// env names, made if missing, or else a new directory prefix* in parent,
// which kubeadm makes there too (/etc/kubernetes/tmp). Either way only its
// owner may open it: an existing directory that others can read is refused
// rather than changed, since it is not kadm's. It says which directory it
// is.
func Open(ctx context.Context, env, parent, prefix string) (*Dir, error) {
	if root := os.Getenv(env); root != "" {
		d, err := chosen(env, root)
		if err != nil {
			return nil, err
		}
		progress.Printf(ctx, "[dryrun] Using dry-run directory %s from %s\n", d.Root, env)
		return d, nil
	}
	d := &Dir{}
	missing, err := missingDirs(parent)
	if err != nil {
		return nil, err
	}
	if err := atomicfile.Dir(parent, Mode); err != nil {
		return nil, fmt.Errorf("create the dry-run directory: %w (set %s to a directory of your own)", err, env)
	}
	d.made = missing
	root, err := os.MkdirTemp(parent, prefix)
	if err != nil {
		return nil, errors.Join(fmt.Errorf("create the dry-run directory in %s: %w (set %s to a directory of your own)", parent, err, env), d.Close())
	}
	d.Root, d.made = root, append(d.made, root)
	if err := os.Chmod(root, Mode); err != nil {
		return nil, errors.Join(fmt.Errorf("set the mode of the dry-run directory %s: %w", root, err), d.Close())
	}
	progress.Printf(ctx, "[dryrun] Using dry-run directory %s, removed when the run ends. To keep its files, set the environment variable %s\n", root, env)
	return d, nil
}

// chosen is the operator's directory: made when missing, and refused when
// others than its owner may open it.
func chosen(env, root string) (*Dir, error) {
	if !filepath.IsAbs(root) {
		return nil, fmt.Errorf("%s=%q is not an absolute path", env, root)
	}
	root = filepath.Clean(root)
	fi, err := os.Stat(root)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := atomicfile.Dir(root, Mode); err != nil {
			return nil, fmt.Errorf("%s=%s: %w", env, root, err)
		}
		return &Dir{Root: root, Env: env}, nil
	case err != nil:
		return nil, fmt.Errorf("%s=%s: %w", env, root, err)
	case !fi.IsDir():
		return nil, fmt.Errorf("%s=%s is not a directory", env, root)
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if fi.Mode().Perm()&0o077 != 0 || !ok || int(st.Uid) != os.Geteuid() {
		return nil, fmt.Errorf("%s=%s (mode %s) may be opened by other users, and a dry run writes keys there: use a directory only you can open (mkdir -m 0700 DIR), or unset %s",
			env, root, fi.Mode(), env)
	}
	return &Dir{Root: root, Env: env}, nil
}

// missingDirs lists path and those of its parents that do not exist,
// outermost first.
func missingDirs(path string) ([]string, error) {
	var missing []string
	for p := filepath.Clean(path); ; p = filepath.Dir(p) {
		_, err := os.Stat(p)
		if err == nil {
			break
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		missing = append([]string{p}, missing...)
		if p == filepath.Dir(p) {
			break
		}
	}
	return missing, nil
}

// Path is where the dry run writes what a real run writes at hostPath.
func (d *Dir) Path(hostPath string) string {
	return filepath.Join(d.Root, hostPath)
}

// Close removes what Open made: the run's own directory with everything
// written into it, and the parents it had to create when they are empty
// again. An operator's directory is kept with its files: they asked for
// them.
func (d *Dir) Close() error {
	if d == nil || len(d.made) == 0 {
		return nil
	}
	var errs []error
	for i := len(d.made) - 1; i >= 0; i-- {
		p := d.made[i]
		if p == d.Root {
			if err := os.RemoveAll(p); err != nil {
				errs = append(errs, fmt.Errorf("remove the dry-run directory %s: %w; remove it by hand, it may hold keys", p, err))
			}
			continue
		}
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTEMPTY) && !errors.Is(err, syscall.EEXIST) {
			errs = append(errs, fmt.Errorf("remove %s, made for the dry run: %w", p, err))
		}
	}
	d.made = nil
	return errors.Join(errs...)
}
