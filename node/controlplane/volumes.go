package controlplane

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/node/staticpod"
)

// Volume names and paths kubeadm gives the control-plane Pods; extraVolumes
// with the same name replace them.
const (
	certsVolume      = "k8s-certs"
	caCertsVolume    = "ca-certs"
	caCertsDir       = "/etc/ssl/certs"
	kubeconfigVolume = "kubeconfig"
)

// caCertsLinkDirs are where /etc/ssl/certs points into on various
// distributions (Fedora/RHEL, Debian/Ubuntu, ...). Mounting /etc/ssl/certs
// alone would leave dangling links in the container.
func caCertsLinkDirs() []string {
	return []string{"/etc/pki/ca-trust", "/etc/pki/tls/certs", "/etc/ca-certificates", "/usr/share/ca-certificates", "/usr/local/share/ca-certificates"}
}

// HostCACertDirs returns the directories /etc/ssl/certs may link into that
// exist on this host, for Input.CACertDirs.
func HostCACertDirs() []string {
	var dirs []string
	for _, d := range caCertsLinkDirs() {
		if _, err := os.Stat(d); err == nil {
			dirs = append(dirs, d)
		}
	}
	return dirs
}

// volumes collects one Pod's hostPath volumes and their mounts by name, so
// that a later volume of the same name (an extraVolume) replaces an earlier.
type volumes struct {
	vols   map[string]corev1.Volume
	mounts map[string]corev1.VolumeMount
}

func newVolumes() *volumes {
	return &volumes{vols: map[string]corev1.Volume{}, mounts: map[string]corev1.VolumeMount{}}
}

func (v *volumes) add(name, hostPath, mountPath string, readOnly bool, typ corev1.HostPathType) {
	v.vols[name] = staticpod.HostPath(name, hostPath, typ)
	v.mounts[name] = staticpod.Mount(name, mountPath, readOnly)
}

// addReadOnly mounts a host directory or file at the same path.
func (v *volumes) addReadOnly(name, path string, typ corev1.HostPathType) {
	v.add(name, path, path, true, typ)
}

func (v *volumes) addCACerts(dirs []string) {
	v.addReadOnly(caCertsVolume, caCertsDir, corev1.HostPathDirectoryOrCreate)
	for _, d := range dirs {
		// "/usr/share/ca-certificates" becomes "usr-share-ca-certificates".
		v.addReadOnly(strings.ReplaceAll(d, "/", "-")[1:], d, corev1.HostPathDirectoryOrCreate)
	}
}

func (v *volumes) addExtra(extra []config.HostPathMount) {
	for _, e := range extra {
		v.add(e.Name, e.HostPath, e.MountPath, e.ReadOnly, e.PathType)
	}
}

// list returns the volumes and mounts sorted by name; both maps always hold
// the same names.
func (v *volumes) list() ([]corev1.Volume, []corev1.VolumeMount) {
	names := slices.Sorted(maps.Keys(v.vols))
	vols := make([]corev1.Volume, len(names))
	mounts := make([]corev1.VolumeMount, len(names))
	for i, n := range names {
		vols[i], mounts[i] = v.vols[n], v.mounts[n]
	}
	return vols, mounts
}

// addExternalEtcdCerts mounts the directories of an external etcd's client
// certificate, key and CA. Directories already mounted (the trust store, the
// certificate directory) are skipped, and of nested directories only the
// outermost is mounted. The comparisons are on path prefixes, as kubeadm
// makes them.
func (v *volumes) addExternalEtcdCerts(ext *config.ExternalEtcd, certDir string) {
	mounted := append([]string{caCertsDir, certDir}, caCertsLinkDirs()...)
	var dirs []string
	for _, f := range []string{ext.CAFile, ext.CertFile, ext.KeyFile} {
		dir := filepath.ToSlash(filepath.Dir(f))
		if dir == "." || slices.ContainsFunc(mounted, func(m string) bool { return strings.HasPrefix(dir, m) }) {
			continue
		}
		if slices.ContainsFunc(dirs, func(d string) bool { return strings.HasPrefix(dir, d) && dir != d }) {
			continue
		}
		dirs = slices.DeleteFunc(dirs, func(d string) bool { return strings.HasPrefix(d, dir) })
		dirs = append(dirs, dir)
	}
	slices.Sort(dirs)
	for i, d := range dirs {
		v.addReadOnly(fmt.Sprintf("etcd-certs-%d", i), d, corev1.HostPathDirectoryOrCreate)
	}
}
