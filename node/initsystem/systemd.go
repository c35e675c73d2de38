package initsystem

import (
	"context"
	"fmt"
	"strings"
)

// Systemd drives services with systemctl.
type Systemd struct {
	Run Runner
}

func (Systemd) Name() string { return "systemd" }

func (Systemd) EnableCommand(service string) string {
	return fmt.Sprintf("systemctl enable %s.service", service)
}

func (Systemd) StartCommand(service string) string {
	return fmt.Sprintf("systemctl start %s.service", service)
}

func (s Systemd) Start(ctx context.Context, service string) error {
	if err := s.reload(ctx); err != nil {
		return err
	}
	return s.do(ctx, "start", service)
}

func (s Systemd) Stop(ctx context.Context, service string) error {
	return s.do(ctx, "stop", service)
}

func (s Systemd) Restart(ctx context.Context, service string) error {
	if err := s.reload(ctx); err != nil {
		return err
	}
	return s.do(ctx, "restart", service)
}

// Exists reads `systemctl status`, which exits non-zero for a stopped
// service too, so only its text tells a missing unit apart.
func (s Systemd) Exists(ctx context.Context, service string) bool {
	out, _ := s.Run(ctx, "systemctl", "status", service)
	text := string(out)
	return !strings.Contains(text, "Loaded: not-found") && !strings.Contains(text, "could not be found")
}

func (s Systemd) IsEnabled(ctx context.Context, service string) bool {
	_, err := s.Run(ctx, "systemctl", "is-enabled", service)
	return err == nil
}

// IsActive accepts "activating" because `systemctl is-active` reports a
// crash-looping service that way, and exits non-zero for it.
func (s Systemd) IsActive(ctx context.Context, service string) bool {
	out, _ := s.Run(ctx, "systemctl", "is-active", service)
	state := strings.TrimSpace(string(out))
	return state == "active" || state == "activating"
}

// reload makes systemd reread unit files and drop-ins, which kadm or a
// package install may have just changed.
func (s Systemd) reload(ctx context.Context) error {
	if out, err := s.Run(ctx, "systemctl", "daemon-reload"); err != nil {
		return commandError(err, out, "systemctl", "daemon-reload")
	}
	return nil
}

func (s Systemd) do(ctx context.Context, verb, service string) error {
	if out, err := s.Run(ctx, "systemctl", verb, service); err != nil {
		return commandError(err, out, "systemctl", verb, service)
	}
	return nil
}

// commandError names the command and keeps its last output line, which is
// where systemctl and rc-service say why they failed.
func commandError(err error, out []byte, args ...string) error {
	cmd := strings.Join(args, " ")
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if last := strings.TrimSpace(lines[len(lines)-1]); last != "" {
		return fmt.Errorf("%q failed: %w: %s", cmd, err, last)
	}
	return fmt.Errorf("%q failed: %w", cmd, err)
}
