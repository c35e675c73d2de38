package initsystem

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
)

// ErrNoInitSystem means no supported init system was found. It is not a
// failure: the caller tells the user to start the service by hand.
var ErrNoInitSystem = errors.New("no supported init system (systemd or OpenRC) detected")

// InitSystem controls services. Query methods answer false when the init
// system cannot tell, because their callers only warn.
type InitSystem interface {
	// Name is "systemd" or "openrc", for messages.
	Name() string
	// EnableCommand is the command a user runs to start service at boot.
	EnableCommand(service string) string
	// StartCommand is the command a user runs to start service now.
	StartCommand(service string) string
	// Start, Stop and Restart change the service's state; Start and Restart
	// first make the init system reread its unit files, since kadm may just
	// have changed the service's environment.
	Start(ctx context.Context, service string) error
	Stop(ctx context.Context, service string) error
	Restart(ctx context.Context, service string) error
	// Exists reports whether the service is defined at all.
	Exists(ctx context.Context, service string) bool
	// IsEnabled reports whether the service starts at boot.
	IsEnabled(ctx context.Context, service string) bool
	// IsActive reports whether the service runs or is trying to (a crash
	// looping kubelet counts as active).
	IsActive(ctx context.Context, service string) bool
}

// Runner runs a command and returns what it printed, stdout then stderr.
// Tests replace it; the e2e harness replaces the commands themselves by
// putting its own systemctl first on PATH.
type Runner func(ctx context.Context, name string, args ...string) ([]byte, error)

// LookPath finds a command on PATH, as exec.LookPath does.
type LookPath func(file string) (string, error)

// Exec runs the command found on PATH.
func Exec(ctx context.Context, name string, args ...string) ([]byte, error) {
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.Bytes(), err
}

// Detect picks the host's init system the way kubeadm does: systemctl on PATH
// means systemd, otherwise openrc with rc-service and rc-update means OpenRC.
// kubeadm does not look for /run/systemd/system; neither does kadm, so that a
// systemctl stand-in on PATH is enough to drive the service.
func Detect(lookPath LookPath, run Runner) (InitSystem, error) {
	if _, err := lookPath("systemctl"); err == nil {
		return Systemd{Run: run}, nil
	}
	if _, err := lookPath("openrc"); err == nil {
		for _, tool := range []string{"rc-service", "rc-update"} {
			if _, err := lookPath(tool); err != nil {
				return nil, fmt.Errorf("OpenRC detected, but %s is missing: %w", tool, err)
			}
		}
		return OpenRC{Run: run}, nil
	}
	return nil, ErrNoInitSystem
}

// Host is Detect on the real host.
func Host() (InitSystem, error) {
	return Detect(exec.LookPath, Exec)
}
