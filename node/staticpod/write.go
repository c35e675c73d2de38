package staticpod

import (
	"fmt"
	"os"

	corev1 "k8s.io/api/core/v1"

	"github.com/kadm-project/kadm/internal/atomicfile"
)

// Modes kubeadm uses: manifests hold no secret, but they say where the keys
// are and what the control plane trusts, so only root reads them.
const (
	ManifestMode os.FileMode = 0o600
	DirMode      os.FileMode = 0o700
)

// Write stores pod as dir/<pod name>.yaml, creating dir when it is missing
// and giving it DirMode in any case.
// A manifest already there that describes the same Pod, with the right
// mode, is left alone, so a rerun does not touch files the kubelet watches;
// any other is replaced atomically, so the kubelet never reads half a file.
// written says whether the file changed.
func Write(dir string, pod *corev1.Pod) (path string, written bool, err error) {
	path = Path(dir, pod.Name)
	data, err := Marshal(pod)
	if err != nil {
		return path, false, err
	}
	if err := atomicfile.Dir(dir, DirMode); err != nil {
		return path, false, fmt.Errorf("the static Pod manifest directory: %w", err)
	}
	if current(path, pod) {
		return path, false, nil
	}
	if err := atomicfile.Write(path, data, ManifestMode); err != nil {
		return path, false, fmt.Errorf("write the %s static Pod manifest: %w", pod.Name, err)
	}
	return path, true, nil
}

// current is true when path already holds pod with the manifest mode.
func current(path string, pod *corev1.Pod) bool {
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() != ManifestMode {
		return false
	}
	existing, err := Read(path)
	return err == nil && Equal(existing, pod)
}
