package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// layout is the file system and kernel view the init gives its host, from its
// flags.
type layout struct {
	hostname string
	// overlays are machine directories the host sees with its own changes on top.
	overlays []overlay
	// tmpfs are directories the host gets empty and in memory (/run).
	tmpfs []string
	// binds are host directories bound over a path, for what must not sit on an
	// overlay (containerd's snapshots) or must be read from outside.
	binds []bind
	// masks are machine-wide sysctls the host must not change: a file holding
	// the value the kubelet wants is bound over each, so it finds nothing to do.
	masks []mask
	// sysctls are set in the host's own network namespace.
	sysctls []keyValue
	// stateDir holds the mask files.
	stateDir string
	// machineMountNS is the inode of the machine's mount namespace: the host must
	// be in another one.
	machineMountNS uint64
}

type overlay struct{ target, upper, work string }

type bind struct{ src, dst string }

type mask struct{ key, value string }

type keyValue struct{ key, value string }

// sysctlPath is the /proc/sys file of a dotted sysctl name.
func sysctlPath(key string) string {
	return filepath.Join("/proc/sys", strings.ReplaceAll(key, ".", "/"))
}

func (m mask) file(stateDir string) string { return filepath.Join(stateDir, "sysctl", m.key) }

// apply sets the layout up; it runs in the host's new mount namespace, whose
// mounts propagate nowhere.
func (l *layout) apply() error {
	for _, o := range l.overlays {
		opts := fmt.Sprintf("lowerdir=%s,upperdir=%s,workdir=%s", o.target, o.upper, o.work)
		if err := syscall.Mount("overlay", o.target, "overlay", 0, opts); err != nil {
			return fmt.Errorf("overlay over %s: %w", o.target, err)
		}
	}
	for _, dir := range l.tmpfs {
		if err := syscall.Mount("tmpfs", dir, "tmpfs", syscall.MS_NOSUID|syscall.MS_NODEV, "mode=755"); err != nil {
			return fmt.Errorf("tmpfs on %s: %w", dir, err)
		}
	}
	for _, b := range l.binds {
		if err := os.MkdirAll(b.dst, 0o755); err != nil {
			return err
		}
		if err := syscall.Mount(b.src, b.dst, "", syscall.MS_BIND|syscall.MS_REC, ""); err != nil {
			return fmt.Errorf("bind %s over %s: %w", b.src, b.dst, err)
		}
	}
	for _, m := range l.masks {
		f := m.file(l.stateDir)
		if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(f, []byte(m.value+"\n"), 0o644); err != nil {
			return err
		}
		if err := syscall.Mount(f, sysctlPath(m.key), "", syscall.MS_BIND, ""); err != nil {
			return fmt.Errorf("mask sysctl %s: %w", m.key, err)
		}
	}
	if l.hostname != "" {
		if err := syscall.Sethostname([]byte(l.hostname)); err != nil {
			return fmt.Errorf("set host name %q: %w", l.hostname, err)
		}
	}
	for _, s := range l.sysctls {
		if err := os.WriteFile(sysctlPath(s.key), []byte(s.value), 0o644); err != nil {
			return fmt.Errorf("set sysctl %s in the host's network namespace: %w", s.key, err)
		}
	}
	return nil
}
