package framework

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// initAlive is true while the host's PID 1 is its init.
func (h *Host) initAlive() bool {
	if h.InitPID <= 0 {
		return false
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", h.InitPID))
	return err == nil && strings.Contains(string(b), "--state-dir="+h.Dir+"\x00")
}

// Destroy ends every process of the host (killing its PID 1 ends its PID
// namespace, containers included), then removes what is left in its cgroups,
// its link, network namespace and directories. Its mounts lived in its own
// mount namespace, which ends with its last process.
func (h *Host) Destroy(ctx context.Context) error {
	var errs []error
	if h.initAlive() {
		_ = syscall.Kill(h.InitPID, syscall.SIGKILL)
	}
	if h.keeperDone != nil {
		select {
		case <-h.keeperDone:
		case <-time.After(15 * time.Second):
			errs = append(errs, fmt.Errorf("host %s: PID 1 did not exit", h.Name))
		}
	}
	errs = append(errs, killNamespace(ctx, h.Namespace))
	if h.Cgroup != "" {
		groups, err := hostCgroups(h.Cgroup)
		errs = append(errs, err)
		for _, g := range groups {
			errs = append(errs, removeCgroup(ctx, g))
		}
	}
	// The router's side of the link goes while the host's namespace still holds
	// the peer, so the name is still this host's: once the namespace is gone a
	// concurrent CreateHost may claim the same name.
	if h.Link != "" {
		if out, err := run(ctx, "ip", "-n", routerOf(h), "link", "delete", h.Link); err != nil &&
			!strings.Contains(out, "Cannot find device") && !strings.Contains(out, "No such file") {
			errs = append(errs, err)
		}
	}
	errs = append(errs, deleteNamespace(ctx, h.Namespace))
	errs = append(errs, os.RemoveAll(h.Dir))
	return errors.Join(errs...)
}

// routerOf names the router of the host's lab: the lab's name, which prefixes
// the host's namespace.
func routerOf(h *Host) string { return strings.TrimSuffix(h.Namespace, "-"+h.Name) }

// hostProcesses lists the PID 1s of hosts of the lab that still run.
func hostProcesses(lab string) ([]int, error) {
	marker := "--state-dir=" + filepath.Join(os.TempDir(), lab) + "/"
	dirs, err := filepath.Glob("/proc/[0-9]*")
	if err != nil {
		return nil, err
	}
	var pids []int
	for _, d := range dirs {
		b, err := os.ReadFile(filepath.Join(d, "cmdline"))
		if err != nil || !strings.Contains(string(b), marker) || !strings.Contains(string(b), "\x00init\x00") {
			continue
		}
		if pid, err := strconv.Atoi(filepath.Base(d)); err == nil {
			pids = append(pids, pid)
		}
	}
	return pids, nil
}
