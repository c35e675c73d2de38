package initsystem

import (
	"context"
	"fmt"
	"strings"
)

// OpenRC drives services with rc-service and rc-update.
type OpenRC struct {
	Run Runner
}

func (OpenRC) Name() string { return "openrc" }

func (OpenRC) EnableCommand(service string) string {
	return fmt.Sprintf("rc-update add %s default", service)
}

func (OpenRC) StartCommand(service string) string {
	return fmt.Sprintf("rc-service %s start", service)
}

func (o OpenRC) Start(ctx context.Context, service string) error {
	return o.do(ctx, service, "start")
}

func (o OpenRC) Stop(ctx context.Context, service string) error {
	return o.do(ctx, service, "stop")
}

func (o OpenRC) Restart(ctx context.Context, service string) error {
	return o.do(ctx, service, "restart")
}

// Exists reads the status text: rc-service reports a missing service on
// stderr and with the same exit code as a stopped one.
func (o OpenRC) Exists(ctx context.Context, service string) bool {
	out, _ := o.Run(ctx, "rc-service", service, "status")
	return !strings.Contains(string(out), "does not exist")
}

func (o OpenRC) IsEnabled(ctx context.Context, service string) bool {
	out, _ := o.Run(ctx, "rc-update", "show", "default")
	for _, line := range strings.Split(string(out), "\n") {
		if name, _, _ := strings.Cut(strings.TrimSpace(line), " "); name == service {
			return true
		}
	}
	return false
}

func (o OpenRC) IsActive(ctx context.Context, service string) bool {
	out, _ := o.Run(ctx, "rc-service", service, "status")
	text := string(out)
	return !strings.Contains(text, "stopped") && !strings.Contains(text, "does not exist")
}

func (o OpenRC) do(ctx context.Context, service, verb string) error {
	if out, err := o.Run(ctx, "rc-service", service, verb); err != nil {
		return commandError(err, out, "rc-service", service, verb)
	}
	return nil
}
