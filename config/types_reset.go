package config

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ResetConfiguration holds what `kadm reset --config` reads. Every field but UnmountFlags
// and Timeouts has a flag of the same meaning, which wins when it is given.
type ResetConfiguration struct {
	metav1.TypeMeta `json:",inline"`

	// CleanupTmpDir adds /etc/kubernetes/tmp to what reset empties.
	CleanupTmpDir bool `json:"cleanupTmpDir,omitempty"`
	// CertificatesDir is the directory reset empties, so it must be one kadm owns.
	CertificatesDir string `json:"certificatesDir,omitempty"`
	// CRISocket is the runtime whose containers reset removes; empty means detect it.
	CRISocket             string   `json:"criSocket,omitempty"`
	DryRun                bool     `json:"dryRun,omitempty"`
	Force                 bool     `json:"force,omitempty"`
	IgnorePreflightErrors []string `json:"ignorePreflightErrors,omitempty"`
	SkipPhases            []string `json:"skipPhases,omitempty"`
	// UnmountFlags are umount2(2) flags, by name (UnmountFlagNames), for the mounts reset
	// finds under the kubelet directory.
	UnmountFlags []string  `json:"unmountFlags,omitempty"`
	Timeouts     *Timeouts `json:"timeouts,omitempty"`
}

// The umount2(2) flags a ResetConfiguration may name, spelled as kubeadm spells them.
const (
	UnmountFlagForce    = "MNT_FORCE"
	UnmountFlagDetach   = "MNT_DETACH"
	UnmountFlagExpire   = "MNT_EXPIRE"
	UnmountFlagNoFollow = "UMOUNT_NOFOLLOW"
)

// UnmountFlagNames returns the names unmountFlags accepts, in a fresh slice.
func UnmountFlagNames() []string {
	return []string{UnmountFlagForce, UnmountFlagDetach, UnmountFlagExpire, UnmountFlagNoFollow}
}
