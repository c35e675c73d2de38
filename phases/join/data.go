package joinphases

import "github.com/kadm-project/kadm/config"

// Data is what every join phase reads; app builds it from flags and the
// configuration file.
type Data interface {
	// Cfg is the defaulted, validated JoinConfiguration.
	Cfg() *config.JoinConfiguration
	// DryRun is true when nothing on the host or in the cluster may change.
	DryRun() bool
	// IgnorePreflightErrors holds the preflight check names, lowercased, whose
	// errors are only warnings; "all" ignores every check.
	IgnorePreflightErrors() []string
	// PatchesDir is the --patches directory, empty when unset.
	PatchesDir() string
}

func isControlPlane(d Data) (bool, error) {
	return d.Cfg().ControlPlane != nil, nil
}
