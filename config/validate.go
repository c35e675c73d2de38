package config

import (
	"fmt"
	"strings"
)

// FieldError names one invalid field by its path in the YAML document
// (e.g. "discovery.bootstrapToken.caCertHashes[1]") and says what is wrong with it.
type FieldError struct {
	Field  string
	Detail string
}

func (e FieldError) Error() string {
	if e.Field == "" {
		return e.Detail
	}
	return e.Field + ": " + e.Detail
}

// ValidationError gathers every invalid field of a configuration so that a user fixes them
// all in one pass instead of one per run.
type ValidationError struct {
	Source string
	Errors []FieldError
}

func (e *ValidationError) Error() string {
	lines := make([]string, len(e.Errors))
	for i, fe := range e.Errors {
		if e.Source != "" {
			lines[i] = e.Source + ": " + fe.Error()
		} else {
			lines[i] = fe.Error()
		}
	}
	return strings.Join(lines, "\n")
}

// ValidateInit checks an init configuration and, when c is not nil, the cluster configuration
// that goes with it. Both are expected defaulted, with the host-dependent fields (node name,
// CRI socket, advertise address, bootstrap token values) already filled in, as kubeadm
// validates only after its run-time defaulting. It returns nil or a *ValidationError.
func ValidateInit(i *InitConfiguration, c *ClusterConfiguration) error {
	var errs fieldErrors
	validateNodeRegistration(&errs, &i.NodeRegistration, "nodeRegistration")
	validateBootstrapTokens(&errs, i.BootstrapTokens)
	validateAPIEndpoint(&errs, &i.LocalAPIEndpoint, "localAPIEndpoint")
	if i.CertificateKey != "" {
		errs.addErr("certificateKey", ValidateCertificateKey(i.CertificateKey))
	}
	validateSkipPhases(&errs, i.SkipPhases)
	validateTimeouts(&errs, i.Timeouts)
	if c != nil {
		validateCluster(&errs, c)
	}
	return errs.result()
}

// ValidateCluster checks a defaulted cluster configuration; nil or a *ValidationError.
func ValidateCluster(c *ClusterConfiguration) error {
	var errs fieldErrors
	validateCluster(&errs, c)
	return errs.result()
}

// ValidateJoin checks a join configuration defaulted as for ValidateInit; nil or a *ValidationError.
func ValidateJoin(j *JoinConfiguration) error {
	return validateJoin(j, true)
}

// ValidateJoinPhase checks a join configuration for a phase that does not
// discover the cluster (kubelet-wait-bootstrap, wait-control-plane, or a
// control-plane node's phases, which read the cluster with admin.conf): an
// empty discovery section is no error there; a set one is checked.
func ValidateJoinPhase(j *JoinConfiguration) error {
	return validateJoin(j, j.Discovery.BootstrapToken != nil || j.Discovery.File != nil)
}

func validateJoin(j *JoinConfiguration, discovery bool) error {
	var errs fieldErrors
	if discovery {
		validateDiscovery(&errs, &j.Discovery)
	}
	validateNodeRegistration(&errs, &j.NodeRegistration, "nodeRegistration")
	if cp := j.ControlPlane; cp != nil {
		validateAPIEndpoint(&errs, &cp.LocalAPIEndpoint, "controlPlane.localAPIEndpoint")
		if cp.CertificateKey != "" {
			errs.addErr("controlPlane.certificateKey", ValidateCertificateKey(cp.CertificateKey))
		}
	}
	if !isAbsPath(j.CACertPath) || !strings.HasSuffix(j.CACertPath, ".crt") {
		errs.add("caCertPath", "%q must be an absolute path to a .crt file", j.CACertPath)
	}
	validateSkipPhases(&errs, j.SkipPhases)
	validateTimeouts(&errs, j.Timeouts)
	return errs.result()
}

// fieldErrors accumulates findings; it is the one place that turns them into an error value.
type fieldErrors []FieldError

func (e *fieldErrors) add(field, format string, args ...any) {
	*e = append(*e, FieldError{Field: field, Detail: fmt.Sprintf(format, args...)})
}

func (e *fieldErrors) addErr(field string, err error) {
	if err != nil {
		*e = append(*e, FieldError{Field: field, Detail: err.Error()})
	}
}

// result returns an untyped nil when there is nothing to report, so `err != nil` works.
func (e fieldErrors) result() error {
	if len(e) == 0 {
		return nil
	}
	return &ValidationError{Errors: e}
}

func index(field string, i int) string {
	return fmt.Sprintf("%s[%d]", field, i)
}
