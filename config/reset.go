package config

import (
	"slices"
	"strings"
)

// SetResetDefaults fills the unset fields of c with kubeadm v1.37's defaults. The CRI socket
// stays empty: reset detects it on the host, or goes on without one.
func SetResetDefaults(c *ResetConfiguration) {
	setTypeMeta(&c.TypeMeta, KindResetConfiguration)
	setString(&c.CertificatesDir, DefaultCertificatesDir)
	c.Timeouts = defaultedTimeouts(c.Timeouts)
}

// DefaultResetConfiguration is what `kadm reset` starts from without a config file.
func DefaultResetConfiguration() *ResetConfiguration {
	c := &ResetConfiguration{}
	SetResetDefaults(c)
	return c
}

// ValidateReset checks a defaulted reset configuration; nil or a *ValidationError. Whether
// certificatesDir is a directory kadm may empty is the command's check, since it depends on
// where kadm keeps its files.
func ValidateReset(c *ResetConfiguration) error {
	var errs fieldErrors
	if c.CRISocket != "" {
		validateCRISocket(&errs, c.CRISocket, "criSocket")
	}
	validateAbsPath(&errs, c.CertificatesDir, "certificatesDir")
	validateIgnorePreflightErrors(&errs, c.IgnorePreflightErrors, "ignorePreflightErrors")
	validateSkipPhases(&errs, c.SkipPhases)
	for i, f := range c.UnmountFlags {
		if !slices.Contains(UnmountFlagNames(), f) {
			errs.add(index("unmountFlags", i), "unknown unmount flag %q: use %s", f, strings.Join(UnmountFlagNames(), ", "))
		}
	}
	validateTimeouts(&errs, c.Timeouts)
	return errs.result()
}
