package preflight

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// Check is one preflight check. Name is kubeadm's name for it, which users
// put in --ignore-preflight-errors; Check returns problems that only warn and
// problems that stop the command unless ignored.
type Check interface {
	Name() string
	Check(ctx context.Context) (warnings, errs []error)
}

// Finding is one problem a check reported.
type Finding struct {
	Check string
	Err   error
	// Ignored marks an error that --ignore-preflight-errors turned into a warning.
	Ignored bool
}

// Report is what a run of checks found, in check order.
type Report struct {
	Warnings []Finding
	Errors   []Finding
}

// WarningLines are the warnings as kubeadm prints them, one per line.
func (r *Report) WarningLines() []string {
	return lines("WARNING", r.Warnings)
}

// ErrorLines are the errors as kubeadm prints them, one per line.
func (r *Report) ErrorLines() []string {
	return lines("ERROR", r.Errors)
}

func lines(level string, fs []Finding) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = fmt.Sprintf("\t[%s %s]: %v", level, f.Check, f.Err)
	}
	return out
}

// Run runs checks in order. Errors of a check named in ignore (any case), or
// of every check when ignore holds "all", become warnings. The error, which
// wraps ErrChecksFailed, lists the remaining errors and the flag that would
// let the command go on; the report is returned either way.
func Run(ctx context.Context, checks []Check, ignore []string) (*Report, error) {
	r := &Report{}
	for _, c := range checks {
		name := c.Name()
		warnings, errs := c.Check(ctx)
		for _, w := range warnings {
			r.Warnings = append(r.Warnings, Finding{Check: name, Err: w})
		}
		ignored := Ignored(ignore, name)
		for _, e := range errs {
			if ignored {
				r.Warnings = append(r.Warnings, Finding{Check: name, Err: e, Ignored: true})
			} else {
				r.Errors = append(r.Errors, Finding{Check: name, Err: e})
			}
		}
	}
	if len(r.Errors) > 0 {
		return r, &FailedError{Report: r}
	}
	return r, nil
}

// Ignored reports whether errors of the check called name are only warnings.
func Ignored(ignore []string, name string) bool {
	for _, i := range ignore {
		if strings.EqualFold(i, "all") || strings.EqualFold(i, name) {
			return true
		}
	}
	return false
}

// FailedError is the error of a run with errors that were not ignored.
type FailedError struct {
	Report *Report
}

// Names are the failed checks, each once, in check order.
func (e *FailedError) Names() []string {
	var names []string
	for _, f := range e.Report.Errors {
		if !slices.Contains(names, f.Check) {
			names = append(names, f.Check)
		}
	}
	return names
}

func (e *FailedError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%v:\n", ErrChecksFailed)
	for _, l := range e.Report.ErrorLines() {
		b.WriteString(l + "\n")
	}
	fmt.Fprintf(&b, "Fix the problems above; or, if you know what you are doing, make these checks non-fatal with "+
		"--ignore-preflight-errors=%s (all: every check)", strings.Join(e.Names(), ","))
	return b.String()
}

func (e *FailedError) Unwrap() error { return ErrChecksFailed }
