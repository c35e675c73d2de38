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
	errs = append(errs, killNamespace(ctx, h.Namespace))
	// The rules and the root-side veth go while the namespace still holds
	// the peer, so their names are still this host's: once the namespace
	// is gone the kernel drops the pair on its own, a concurrent
	// CreateHost may claim the same name, and deleting by name would then
	// remove the new host's link and rules.
	if h.Veth != "" {
		errs = append(errs, h.deleteRules(ctx), deleteLink(ctx, h.Veth))
	}
	errs = append(errs, deleteNamespace(ctx, h.Namespace))
	errs = append(errs, os.RemoveAll(h.Dir))
	return errors.Join(errs...)
}
