package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
)

// mountEntry is one line of /proc/self/mountinfo.
type mountEntry struct {
	root, point, fsType, source, superOpts string
}

// parseMountinfo reads mountinfo and returns, for each mount point, the mount on
// top (the last one listed).
func parseMountinfo(data []byte) map[string]mountEntry {
	top := map[string]mountEntry{}
	for _, line := range strings.Split(string(data), "\n") {
		fields := strings.Fields(line)
		sep := -1
		for i, f := range fields {
			if f == "-" {
				sep = i
				break
			}
		}
		if sep < 5 || len(fields) < sep+4 {
			continue
		}
		e := mountEntry{root: unescapeMount(fields[3]), point: unescapeMount(fields[4]),
			fsType: fields[sep+1], source: fields[sep+2], superOpts: fields[sep+3]}
		top[e.point] = e
	}
	return top
}

// unescapeMount undoes mountinfo's octal escapes of space, tab, newline and
// backslash.
func unescapeMount(s string) string {
	r := strings.NewReplacer(`\040`, " ", `\011`, "\t", `\012`, "\n", `\134`, `\`)
	return r.Replace(s)
}

// checkIsolation tells why the host is not isolated from the machine, or nil:
// it runs in a mount namespace of its own; every overlay, tmpfs and bind of its
// layout is the top mount of its path; every masked sysctl is covered and holds
// the value the kubelet wants. A kubelet, containerd or anything else the init
// starts would otherwise write to the machine's own files or sysctls.
func (l *layout) checkIsolation(mountinfo []byte, selfMountNS uint64, readFile func(string) ([]byte, error)) error {
	var errs []error
	if selfMountNS == l.machineMountNS {
		errs = append(errs, fmt.Errorf("the host shares the machine's mount namespace (inode %d)", selfMountNS))
	}
	top := parseMountinfo(mountinfo)
	for _, o := range l.overlays {
		e, ok := top[o.target]
		if !ok || e.fsType != "overlay" || !strings.Contains(","+e.superOpts+",", ",upperdir="+o.upper+",") {
			errs = append(errs, fmt.Errorf("%s is not the host's overlay with upper directory %s (top mount: %+v)", o.target, o.upper, e))
		}
	}
	for _, dir := range l.tmpfs {
		if e, ok := top[dir]; !ok || e.fsType != "tmpfs" {
			errs = append(errs, fmt.Errorf("%s is not a private tmpfs (top mount: %+v)", dir, e))
		}
	}
	for _, b := range l.binds {
		// A bind's root is the source's path inside its file system, a suffix of
		// the source's absolute path.
		if e, ok := top[b.dst]; !ok || e.root == "/" || !strings.HasSuffix(b.src, e.root) {
			errs = append(errs, fmt.Errorf("%s is not bound to %s (top mount: %+v)", b.dst, b.src, e))
		}
	}
	for _, m := range l.masks {
		p := sysctlPath(m.key)
		if _, ok := top[p]; !ok {
			errs = append(errs, fmt.Errorf("sysctl %s is not masked: %s is not a mount point", m.key, p))
			continue
		}
		b, err := readFile(p)
		if err != nil {
			errs = append(errs, err)
		} else if got := string(bytes.TrimSpace(b)); got != m.value {
			errs = append(errs, fmt.Errorf("masked sysctl %s reads %q, want %q", m.key, got, m.value))
		}
	}
	return errors.Join(errs...)
}

// check runs checkIsolation on the init's own process.
func (l *layout) check() error {
	info, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return err
	}
	ns, err := mountNamespace("/proc/self/ns/mnt")
	if err != nil {
		return err
	}
	return l.checkIsolation(info, ns, os.ReadFile)
}

func mountNamespace(path string) (uint64, error) {
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		return 0, fmt.Errorf("mount namespace: %w", err)
	}
	return st.Ino, nil
}
