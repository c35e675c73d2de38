package kubeconfig

import (
	"fmt"
	"os"
	"path/filepath"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/kadm-project/kadm/internal/atomicfile"
)

// Write stores cfg at path with mode 0600, since a kubeconfig holds a
// private key or a token. A missing directory is created with 0755, as
// kubeadm does for /etc/kubernetes.
func Write(path string, cfg *clientcmdapi.Config) error {
	data, err := clientcmd.Write(*cfg)
	if err != nil {
		return fmt.Errorf("encode kubeconfig %s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("create the directory of kubeconfig %s: %w", path, err)
	}
	return atomicfile.Write(path, data, 0o600)
}
