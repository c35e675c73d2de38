package kubelet

import (
	"fmt"
	"path/filepath"

	"github.com/kadm-project/kadm/internal/atomicfile"
)

// WriteFile writes one of the kubelet's files (ConfigFileName,
// InstanceConfigFileName or FlagsFileName) into dir atomically, with
// kubeadm's modes, whatever the umask: the directory 0700, the file 0644.
func WriteFile(dir, name string, data []byte) error {
	if err := atomicfile.Dir(dir, dirMode); err != nil {
		return fmt.Errorf("the kubelet directory: %w", err)
	}
	return atomicfile.Write(filepath.Join(dir, name), data, fileMode)
}
