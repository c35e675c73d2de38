package etcd

import (
	"fmt"
	"os"
)

// DataDirMode keeps etcd's data, which holds every Secret of the cluster,
// readable by root only.
const DataDirMode os.FileMode = 0o700

// CreateDataDir makes sure dir exists before the kubelet starts etcd;
// otherwise the kubelet would create it with a looser mode.
func CreateDataDir(dir string) error {
	if err := os.MkdirAll(dir, DataDirMode); err != nil {
		return fmt.Errorf("create the etcd data directory: %w", err)
	}
	return nil
}
