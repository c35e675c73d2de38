package framework

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"time"
)

// initAlive is true while the host's PID 1 is the stand-in's hostinit.
func (h *Host) initAlive() bool {
	if h.InitPID <= 0 {
		return false
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", h.InitPID))
	return err == nil && strings.Contains(string(b), "hostinit")
}

// Destroy ends every process of the host and removes its network namespace,
// veth pair and directories.
func (h *Host) Destroy(ctx context.Context) error {
	var errs []error
	if h.initAlive() {
		// Killing PID 1 of the host's PID namespace kills all of it.
		_ = syscall.Kill(h.InitPID, syscall.SIGKILL)
	}
	if h.keeperDone != nil {
		select {
		case <-h.keeperDone:
		case <-time.After(15 * time.Second):
			errs = append(errs, fmt.Errorf("host %s: PID 1 did not exit", h.Name))
		}
	}
	errs = append(errs, killNamespace(ctx, h.Namespace), deleteNamespace(ctx, h.Namespace))
	if h.Veth != "" {
		errs = append(errs, deleteLink(ctx, h.Veth), h.deleteRules(ctx))
	}
	errs = append(errs, os.RemoveAll(h.Dir))
	return errors.Join(errs...)
}
