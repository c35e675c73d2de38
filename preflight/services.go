package preflight

import (
	"context"
	"fmt"

	"github.com/kadm-project/kadm/node/initsystem"
)

// Service warns when a service kadm relies on (the kubelet) is missing or not
// enabled to start at boot, and fails when CheckIfActive and it is not
// running. Without an init system there is nothing to ask: a warning says so.
type Service struct {
	Service       string
	CheckIfActive bool
	Label         string
	InitSystem    func() (initsystem.InitSystem, error)
}

func (c Service) Name() string {
	if c.Label != "" {
		return c.Label
	}
	return "Service-" + c.Service
}

func (c Service) Check(ctx context.Context) (warnings, errs []error) {
	sys, err := c.InitSystem()
	if err != nil {
		return []error{fmt.Errorf("%w, skipping checking for services", err)}, nil
	}
	if !sys.Exists(ctx, c.Service) {
		return []error{fmt.Errorf("%s service does not exist", c.Service)}, nil
	}
	if !sys.IsEnabled(ctx, c.Service) {
		warnings = append(warnings, fmt.Errorf("%s service is not enabled, please run '%s'", c.Service, sys.EnableCommand(c.Service)))
	}
	if c.CheckIfActive && !sys.IsActive(ctx, c.Service) {
		errs = append(errs, fmt.Errorf("%s service is not active, please run '%s'", c.Service, sys.StartCommand(c.Service)))
	}
	return warnings, errs
}

// Firewalld warns when firewalld runs, since its default rules block the
// ports the control plane and the kubelet listen on.
type Firewalld struct {
	Ports      []int
	InitSystem func() (initsystem.InitSystem, error)
}

func (Firewalld) Name() string { return "Firewalld" }

func (c Firewalld) Check(ctx context.Context) (warnings, errs []error) {
	sys, err := c.InitSystem()
	if err != nil {
		return []error{fmt.Errorf("%w, skipping checking for services", err)}, nil
	}
	if !sys.Exists(ctx, "firewalld") {
		return nil, nil
	}
	if sys.IsActive(ctx, "firewalld") {
		return []error{fmt.Errorf("firewalld is active, please ensure ports %v are open or your cluster may not function correctly", c.Ports)}, nil
	}
	return nil, nil
}
