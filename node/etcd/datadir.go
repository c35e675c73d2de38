package etcd

import (
	"fmt"
	"os"

	"github.com/kadm-project/kadm/internal/atomicfile"
)

// DataDirMode keeps etcd's data, which holds every Secret of the cluster,
// readable by root only.
const DataDirMode os.FileMode = 0o700

// CreateDataDir makes sure dir exists, with DataDirMode, before the kubelet
// starts etcd; otherwise the kubelet would create it with a looser mode.
func CreateDataDir(dir string) error {
	if err := atomicfile.Dir(dir, DataDirMode); err != nil {
		return fmt.Errorf("the etcd data directory: %w", err)
	}
	return nil
}
