package preflight

import (
	"context"
	"fmt"
	"net"
	"strconv"
)

// PortOpen fails when the port cannot be bound, i.e. something already
// listens there and the component kadm starts would crash-loop.
type PortOpen struct {
	Port int
	// Address is the address to bind, empty for all of them.
	Address string
	Label   string
	Listen  func(network, address string) (net.Listener, error)
}

func (c PortOpen) Name() string {
	if c.Label != "" {
		return c.Label
	}
	return fmt.Sprintf("Port-%d", c.Port)
}

func (c PortOpen) Check(ctx context.Context) (warnings, errs []error) {
	ln, err := c.Listen("tcp", net.JoinHostPort(c.Address, strconv.Itoa(c.Port)))
	if err != nil {
		return nil, []error{fmt.Errorf("Port %d is in use", c.Port)}
	}
	if err := ln.Close(); err != nil {
		warnings = append(warnings, fmt.Errorf("when closing port %d, encountered %v", c.Port, err))
	}
	return warnings, nil
}
