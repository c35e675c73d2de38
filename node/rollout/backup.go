package rollout

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// Prefixes of the backup directories under <kubernetes dir>/tmp, as kubeadm names them.
const (
	ManifestsBackup     = "kubeadm-backup-manifests"
	EtcdBackup          = "kubeadm-backup-etcd"
	KubeletConfigBackup = "kubeadm-kubelet-config"
	// TmpDir is the directory under the kubernetes directory that holds them.
	TmpDir = "tmp"
	// timestampLayout is kubeadm's: kubeadm-backup-manifests-2026-11-23-09-00-00.
	timestampLayout = "2006-01-02-15-04-05"
	dirMode         = 0o700
)

// NewBackupDir creates <kubernetesDir>/tmp/<prefix>-<timestamp> for one run's backups,
// readable by root only. Two runs in the same second get distinct directories.
func NewBackupDir(kubernetesDir, prefix string, now time.Time) (string, error) {
	parent := filepath.Join(kubernetesDir, TmpDir)
	if err := os.MkdirAll(parent, dirMode); err != nil {
		return "", fmt.Errorf("create the backup directory %s: %w", parent, err)
	}
	base := filepath.Join(parent, prefix+"-"+now.Format(timestampLayout))
	dir := base
	for i := 2; ; i++ {
		err := os.Mkdir(dir, dirMode)
		if err == nil {
			return dir, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return "", fmt.Errorf("create the backup directory %s: %w", dir, err)
		}
		dir = fmt.Sprintf("%s-%d", base, i)
	}
}
