package preflight

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/util/version"
	system "k8s.io/system-validators/validators"

	"github.com/kadm-project/kadm/node/initsystem"
)

// SystemVerification runs k8s.io/system-validators, the node conformance
// checks kubeadm runs, against the default system spec.
type SystemVerification struct {
	// FallbackKubeletVersion is assumed when the kubelet cannot be run (the
	// KubeletVersion check warns about that); kubeadm fails instead, but a
	// kubelet installed after preflight is a supported order for kadm.
	FallbackKubeletVersion string
	// NextMinor checks the requirements of the installed kubelet's next minor release,
	// which an upgrade is about to install, as kubeadm does on upgrades.
	NextMinor  bool
	Run        initsystem.Runner
	Validators func(kubeletVersion string, r system.Reporter) []system.Validator
}

func (SystemVerification) Name() string { return "SystemVerification" }

func (c SystemVerification) Check(ctx context.Context) (warnings, errs []error) {
	v, err := KubeletVersionOf(ctx, c.Run)
	switch {
	case err == nil && c.NextMinor:
		v = v.WithMinor(v.Minor() + 1)
	case errors.Is(err, errNoKubelet) && c.FallbackKubeletVersion != "":
		v, err = version.ParseSemantic(c.FallbackKubeletVersion)
	}
	if err != nil {
		return nil, []error{fmt.Errorf("couldn't get kubelet version: %w", err)}
	}
	// The validators want the version without its "v".
	kubeletVersion := v.String()
	report := &textReporter{}
	for _, val := range c.Validators(kubeletVersion, report) {
		w, e := val.Validate(system.DefaultSysSpec)
		warnings = append(warnings, w...)
		errs = append(errs, e...)
	}
	if len(errs) > 0 {
		// kubeadm prints the whole report when the verification fails; it
		// shows what the host has next to what is missing.
		warnings = append(warnings, fmt.Errorf("the system verification failed; what it found:\n%s", report))
	}
	return warnings, errs
}

// textReporter keeps the validators' findings as plain "KEY: value" lines;
// the library's own reporter colours them for a terminal.
type textReporter struct {
	lines []string
}

func (r *textReporter) Report(key, value string, _ system.ValidationResultType) error {
	r.lines = append(r.lines, key+": "+value)
	return nil
}

func (r *textReporter) String() string {
	return strings.Join(r.lines, "\n")
}
