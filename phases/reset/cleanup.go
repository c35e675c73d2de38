package resetphases

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/internal/progress"
	"github.com/kadm-project/kadm/kubeconfig"
	"github.com/kadm-project/kadm/node/cleanup"
	"github.com/kadm-project/kadm/node/cri"
	"github.com/kadm-project/kadm/node/kubelet"
	"github.com/kadm-project/kadm/node/machine"
)

// kubeconfigFiles are the kubeconfig files init and join write.
var kubeconfigFiles = []string{
	kubeconfig.AdminFile, kubeconfig.SuperAdminFile, kubeconfig.KubeletFile, kubeconfig.BootstrapKubeletFile,
	kubeconfig.ControllerManagerFile, kubeconfig.SchedulerFile,
}

// nodePlan is everything cleanup-node removes, computed before anything is.
type nodePlan struct {
	dirs  []cleanup.Target
	files []cleanup.Target
	// refused are values that failed cleanup.Check; nothing of them is
	// removed.
	refused []error
}

// planNode lists what cleanup-node removes: constant paths under the
// directories kadm owns, and the certificates directory, which comes from a
// flag or the cluster and so is checked first.
func planNode(ctx context.Context, d Data) nodePlan {
	var p nodePlan
	p.dirs = append(p.dirs, cleanup.Target{Path: d.ManifestDir(), Contents: true}, cleanup.Target{Path: d.KubeletDir(), Contents: true})
	certDir, source := d.CertificatesDir(ctx)
	if err := cleanup.Check(certDir, d.KubernetesDir()); err != nil {
		p.refused = append(p.refused, fmt.Errorf("refusing to clean the certificates directory from %s: %w; nothing was deleted from it, clean it by hand", source, err))
	} else {
		if certDir != config.DefaultCertificatesDir {
			progress.Printf(ctx, "[reset] WARNING: Cleaning a non-default certificates directory: %q\n", certDir)
		}
		p.dirs = append(p.dirs, cleanup.Target{Path: certDir, Contents: true})
	}
	if d.CleanupTmpDir() {
		p.dirs = append(p.dirs, cleanup.Target{Path: filepath.Join(d.KubernetesDir(), config.TmpDirName), Contents: true})
	}
	for _, name := range kubeconfigFiles {
		p.files = append(p.files, cleanup.Target{Path: filepath.Join(d.KubernetesDir(), name)})
	}
	return p
}

// runCleanupNode stops the kubelet, unmounts what is mounted under its
// directory, removes the Pods' containers and deletes the files of the
// plan. Problems with one item do not stop the others; the phase fails at
// the end when a directory was refused, could not be unmounted or removed.
func runCleanupNode(ctx context.Context, d Data) error {
	p := planNode(ctx, d)
	h := d.Host()
	stopKubelet(ctx, d, h)
	if err := unmountKubelet(ctx, d, h); err != nil {
		// Whatever is still mounted must not be deleted through the mount.
		p.refused = append(p.refused, err)
		p.dirs = withoutPath(p.dirs, d.KubeletDir())
	}
	removeContainers(ctx, d, h)

	errs := p.refused
	if d.DryRun() {
		progress.Printf(ctx, "[dryrun] Would delete contents of directories: %s\n", cleanup.Format(cleanup.Paths(p.dirs)))
		progress.Printf(ctx, "[dryrun] Would delete files: %s\n", cleanup.Format(cleanup.Paths(p.files)))
		return errors.Join(errs...)
	}
	progress.Printf(ctx, "[reset] Deleting contents of directories: %s\n", cleanup.Format(cleanup.Paths(p.dirs)))
	errs = append(errs, removeAll(ctx, p.dirs)...)
	progress.Printf(ctx, "[reset] Deleting files: %s\n", cleanup.Format(cleanup.Paths(p.files)))
	errs = append(errs, removeAll(ctx, p.files)...)
	return errors.Join(errs...)
}

func removeAll(ctx context.Context, ts []cleanup.Target) []error {
	var errs []error
	for _, t := range ts {
		if err := cleanup.Remove(t); err != nil {
			progress.Printf(ctx, "[reset] WARNING: Failed to delete %s: %v\n", t.Path, err)
			errs = append(errs, fmt.Errorf("delete %s: %w", t.Path, err))
		}
	}
	return errs
}

func withoutPath(ts []cleanup.Target, path string) []cleanup.Target {
	return slices.DeleteFunc(ts, func(t cleanup.Target) bool { return t.Path == path })
}

// stopKubelet stops the kubelet through the init system; like kubeadm, it
// only warns when it cannot.
func stopKubelet(ctx context.Context, d Data, h machine.Host) {
	sys, err := h.InitSystem()
	if err != nil {
		progress.Printf(ctx, "[reset] WARNING: The kubelet service could not be stopped by %s: %v\n", d.Program(), err)
		progress.Printf(ctx, "[reset] Please ensure kubelet is stopped manually\n")
		return
	}
	if d.DryRun() {
		progress.Printf(ctx, "[dryrun] Would stop the kubelet service\n")
		return
	}
	progress.Printf(ctx, "[reset] Stopping the kubelet service\n")
	if err := sys.Stop(ctx, kubelet.ServiceName); err != nil {
		progress.Printf(ctx, "[reset] WARNING: The kubelet service could not be stopped by %s: [%v]\n", d.Program(), err)
		progress.Printf(ctx, "[reset] Please ensure kubelet is stopped manually\n")
	}
}

// unmountKubelet unmounts the Pods' volumes under the kubelet directory, so
// that cleaning it deletes no data of a volume.
func unmountKubelet(ctx context.Context, d Data, h machine.Host) error {
	dir := d.KubeletDir()
	if d.DryRun() {
		progress.Printf(ctx, "[dryrun] Would unmount mounted directories in %q\n", dir)
		return nil
	}
	if !exists(dir) {
		return nil
	}
	progress.Printf(ctx, "[reset] Unmounting mounted directories in %q\n", dir)
	if err := cleanup.Unmount(h.Mounts, dir, h.Unmount); err != nil {
		return fmt.Errorf("not cleaning %s, since some of its directories are still mounted: %w", dir, err)
	}
	return nil
}

// removeContainers stops and removes the Pods the kubelet started, and so
// their containers, through the container runtime's CRI; like kubeadm it
// only warns when it cannot.
func removeContainers(ctx context.Context, d Data, h machine.Host) {
	socket := d.CRISocket()
	if socket == "" {
		progress.Printf(ctx, "[reset] WARNING: No container runtime found: remove the Kubernetes containers by hand\n")
		return
	}
	if d.DryRun() {
		progress.Printf(ctx, "[dryrun] Would remove Kubernetes-managed containers\n")
		return
	}
	progress.Printf(ctx, "[reset] Removing Kubernetes-managed containers\n")
	rt, err := h.CRI(ctx, socket)
	if err != nil {
		progress.Printf(ctx, "[reset] WARNING: Failed to remove containers: %v\n", err)
		return
	}
	defer rt.Close()
	if err := cri.RemovePods(ctx, rt); err != nil {
		progress.Printf(ctx, "[reset] WARNING: Failed to remove containers: %v\n", err)
	}
}
