package certs

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/kadm-project/kadm/internal/atomicfile"
	"github.com/kadm-project/kadm/pkiutil"
)

// Seed copies the files (paths relative to the certificate directory) that
// exist in src and not yet in dst. A dry run writes into a directory of its
// own; seeding it with the host's certificates makes it reuse and verify
// them, as the real run would, instead of generating a new tree.
func Seed(src, dst string, files ...string) error {
	if filepath.Clean(src) == filepath.Clean(dst) {
		return nil
	}
	for _, f := range files {
		to := filepath.Join(dst, f)
		if exists(to) {
			continue
		}
		b, err := os.ReadFile(filepath.Join(src, f))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("copy %s for the dry run: %w", f, err)
		}
		mode := os.FileMode(pkiutil.KeyMode)
		if strings.HasSuffix(f, ".crt") {
			mode = pkiutil.CertMode
		}
		if err := os.MkdirAll(filepath.Dir(to), pkiutil.DirMode); err != nil {
			return fmt.Errorf("copy %s for the dry run: %w", f, err)
		}
		if err := atomicfile.Write(to, b, mode); err != nil {
			return fmt.Errorf("copy %s for the dry run: %w", f, err)
		}
	}
	return nil
}
