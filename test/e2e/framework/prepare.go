package framework

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
)

// Prepare readies the lab for hosts: it checks the upstream binaries in BinDir,
// builds the host init and kadm into dir, and makes the images and the
// containerd root every host starts from, saying what it does on progress. A
// kadm that does not build is returned apart, as kadmErr, so that only what
// runs kadm fails.
func (l *Lab) Prepare(ctx context.Context, dir string, progress io.Writer) (kadmErr, err error) {
	l.BinDir = BinDir()
	if err := CheckComponents(l.BinDir, Components()...); err != nil {
		return nil, err
	}
	root, err := ModuleRoot(ctx)
	if err != nil {
		return nil, err
	}
	l.UnitDir = filepath.Join(root, "packaging", "systemd")
	fmt.Fprintln(progress, "[lab] Building the host init and kadm")
	l.Init = filepath.Join(dir, "hostinit")
	if err := GoBuild(ctx, "./test/e2e/hostinit", l.Init); err != nil {
		return nil, fmt.Errorf("build the host init: %w", err)
	}
	kadm := filepath.Join(dir, "kadm")
	kadmErr = GoBuild(ctx, "./cmd/kadm", kadm)
	l.Programs = map[string]string{"kadm": kadm, "kubeadm": filepath.Join(l.BinDir, "kubeadm")}
	fmt.Fprintln(progress, "[lab] Packing the images (once for the same binaries)")
	if l.Images, err = BuildImages(ctx, l.BinDir); err != nil {
		return kadmErr, fmt.Errorf("build the images: %w", err)
	}
	fmt.Fprintln(progress, "[lab] Importing the images into the containerd state every host starts from (once for the same images)")
	if err := l.PrepareContainerdRoot(ctx); err != nil {
		return kadmErr, err
	}
	return kadmErr, nil
}
