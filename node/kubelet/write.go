package kubelet

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/kadm-project/kadm/internal/atomicfile"
)

// WriteFile writes one of the kubelet's files (ConfigFileName,
// InstanceConfigFileName or FlagsFileName) into dir atomically, with
// kubeadm's modes: the directory 0700 when kadm creates it, the file 0644.
func WriteFile(dir, name string, data []byte) error {
	if err := os.MkdirAll(dir, dirMode); err != nil {
		return fmt.Errorf("create the kubelet directory %s: %w", dir, err)
	}
	return atomicfile.Write(filepath.Join(dir, name), data, fileMode)
}
