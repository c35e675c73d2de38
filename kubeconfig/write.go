package kubeconfig

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/kadm-project/kadm/internal/atomicfile"
)

// Modes kubeadm gives a kubeconfig file and the directory it creates for one.
const (
	FileMode = 0o600
	DirMode  = 0o755
)

// Write stores cfg at path with mode 0600, since a kubeconfig holds a
// private key or a token. Its directory gets DirMode, kubeadm's for
// /etc/kubernetes, whatever the umask.
func Write(path string, cfg *clientcmdapi.Config) error {
	data, err := clientcmd.Write(*cfg)
	if err != nil {
		return fmt.Errorf("encode kubeconfig %s: %w", path, err)
	}
	if err := atomicfile.Dir(filepath.Dir(path), DirMode); err != nil {
		return fmt.Errorf("the directory of kubeconfig %s: %w", path, err)
	}
	return atomicfile.Write(path, data, FileMode)
}

// CorrectDir gives an existing kubeconfig directory DirMode, for a run that
// keeps every file there and so writes none (Write does it for the others).
func CorrectDir(dir string) error {
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return atomicfile.Dir(dir, DirMode)
}
