package framework

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// cgroupRoot is where the machine mounts its cgroup hierarchies.
const cgroupRoot = "/sys/fs/cgroup"

// cgroupV2 tells whether the machine has the unified hierarchy alone.
func cgroupV2() bool {
	var st syscall.Statfs_t
	return syscall.Statfs(cgroupRoot, &st) == nil && st.Type == cgroup2Magic
}

// cgroup2Magic is CGROUP2_SUPER_MAGIC, the file system type of cgroup v2.
const cgroup2Magic = 0x63677270

// hierarchies lists the mount points of the machine's cgroup hierarchies: each
// v1 controller's, and the unified one.
func hierarchies() ([]string, error) {
	if cgroupV2() {
		return []string{cgroupRoot}, nil
	}
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return nil, err
	}
	var out []string
	for _, line := range strings.Split(string(b), "\n") {
		fields := strings.Fields(line)
		i := slices.Index(fields, "-")
		if i < 0 || i+1 >= len(fields) || len(fields) < 5 {
			continue
		}
		if t := fields[i+1]; (t == "cgroup" || t == "cgroup2") && strings.HasPrefix(fields[4], cgroupRoot+"/") {
			out = append(out, fields[4])
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no cgroup hierarchy is mounted under %s", cgroupRoot)
	}
	return out, nil
}

// createCgroup makes the host's cgroup in every hierarchy, the kubelet's
// cgroupRoot. A v1 cpuset cgroup takes its CPUs and memory nodes from its
// parent, or no task could join it.
func createCgroup(name string) error {
	hs, err := hierarchies()
	if err != nil {
		return err
	}
	for _, h := range hs {
		dir := filepath.Join(h, name)
		if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("cgroup %s: %w", dir, err)
		}
		for _, f := range []string{"cpuset.cpus", "cpuset.mems"} {
			if b, err := os.ReadFile(filepath.Join(h, f)); err == nil && !cgroupV2() {
				if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
					return fmt.Errorf("cgroup %s: %s: %w", dir, f, err)
				}
			}
		}
	}
	return nil
}

// cgroups lists the lab's host cgroups present on the machine, as paths.
func (l *Lab) cgroups() ([]string, error) {
	hs, err := hierarchies()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, h := range hs {
		matches, err := filepath.Glob(filepath.Join(h, l.Name+"-*"))
		if err != nil {
			return nil, err
		}
		out = append(out, matches...)
	}
	return out, nil
}

// hostCgroups lists the host's cgroup in every hierarchy.
func hostCgroups(name string) ([]string, error) {
	hs, err := hierarchies()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, h := range hs {
		if _, err := os.Stat(filepath.Join(h, name)); err == nil {
			out = append(out, filepath.Join(h, name))
		}
	}
	return out, nil
}

// removeCgroup kills every process left in a cgroup tree and removes it,
// deepest first.
func removeCgroup(ctx context.Context, dir string) error {
	deadline := time.Now().Add(15 * time.Second)
	for {
		var dirs []string
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				dirs = append(dirs, p)
			}
			return nil
		})
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		var busy []string
		for i := len(dirs) - 1; i >= 0; i-- {
			b, _ := os.ReadFile(filepath.Join(dirs[i], "cgroup.procs"))
			for _, f := range strings.Fields(string(b)) {
				if pid, err := strconv.Atoi(f); err == nil {
					_ = syscall.Kill(pid, syscall.SIGKILL)
				}
			}
			if err := syscall.Rmdir(dirs[i]); err != nil && !errors.Is(err, syscall.ENOENT) {
				busy = append(busy, fmt.Sprintf("%s: %v", dirs[i], err))
			}
		}
		if len(busy) == 0 {
			return nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("remove cgroup %s: %s", dir, strings.Join(busy, "; "))
		}
		time.Sleep(50 * time.Millisecond)
	}
}
