package preflight

import (
	"context"
	"errors"
	"testing"
)

func TestSystemVerification(t *testing.T) {
	t.Parallel()
	kubelet := commands{"kubelet --version": {out: "Kubernetes v1.36.3\n"}}
	tests := []struct {
		name        string
		run         commands
		fallback    string
		nextMinor   bool
		validators  []fakeValidator
		wantVersion string
		warnings    []string
		errs        []string
	}{
		{name: "passes", run: kubelet, validators: []fakeValidator{{}}, wantVersion: "1.36.3"},
		{name: "warnings pass through", run: kubelet, validators: []fakeValidator{{warns: []error{errors.New("missing optional cgroups: hugetlb")}}},
			wantVersion: "1.36.3", warnings: []string{"missing optional cgroups: hugetlb"}},
		{name: "failure adds the report", run: kubelet,
			validators:  []fakeValidator{{errs: []error{errors.New("kernel release 4.19.0 is unsupported")}}, {errs: []error{errors.New("missing required cgroups: memory")}}},
			wantVersion: "1.36.3",
			warnings:    []string{"the system verification failed; what it found:\nKERNEL_VERSION: 6.1.0"},
			errs:        []string{"kernel release 4.19.0 is unsupported", "missing required cgroups: memory"}},
		{name: "no kubelet uses the fallback", run: commands{}, fallback: "v1.37.2", validators: []fakeValidator{{}}, wantVersion: "1.37.2"},
		{name: "no kubelet and no fallback", run: commands{}, errs: []string{"couldn't get kubelet version"}},
		{name: "an upgrade checks the next minor", run: kubelet, nextMinor: true, validators: []fakeValidator{{}}, wantVersion: "1.37.3"},
		{name: "an upgrade without kubelet checks the fallback", run: commands{}, fallback: "v1.37.2", nextMinor: true, validators: []fakeValidator{{}}, wantVersion: "1.37.2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var seen string
			c := SystemVerification{FallbackKubeletVersion: tt.fallback, NextMinor: tt.nextMinor, Run: tt.run.run, Validators: validators(&seen, tt.validators...)}
			if c.Name() != "SystemVerification" {
				t.Errorf("Name() = %q", c.Name())
			}
			warnings, errs := c.Check(context.Background())
			matchErrors(t, "warnings", warnings, tt.warnings)
			matchErrors(t, "errors", errs, tt.errs)
			if seen != tt.wantVersion {
				t.Errorf("validators built for kubelet %q, want %q", seen, tt.wantVersion)
			}
		})
	}
}
