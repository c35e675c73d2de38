package initsystem

import "context"

// Outcome is what became of a request to (re)start a service. kubeadm goes on
// when a service cannot be started, since the user may run it some other way;
// Outcome lets the caller say exactly what the user must do.
type Outcome struct {
	// NoInitSystem: nothing was run; the user must start the service.
	NoInitSystem bool
	// Missing: the init system does not know the service, but a restart was
	// still attempted, as kubeadm does.
	Missing bool
	// Err is why the restart failed; nil on success and with NoInitSystem.
	Err error
	// StartCommand is how the user starts the service by hand; empty with
	// NoInitSystem.
	StartCommand string
}

// Restart (re)starts service through sys; a nil sys means the host has no
// supported init system.
func Restart(ctx context.Context, sys InitSystem, service string) Outcome {
	if sys == nil {
		return Outcome{NoInitSystem: true}
	}
	return Outcome{
		Missing:      !sys.Exists(ctx, service),
		Err:          sys.Restart(ctx, service),
		StartCommand: sys.StartCommand(service),
	}
}

// Stop stops service through sys before kadm rewrites its configuration;
// a nil sys means the host has no supported init system, which is not an error.
func Stop(ctx context.Context, sys InitSystem, service string) error {
	if sys == nil {
		return nil
	}
	return sys.Stop(ctx, service)
}
