package app

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/internal/progress"
)

// overrides applies explicitly set flags on top of a configuration loaded
// from a file: precedence is flag > file > default. kubeadm refuses most
// flags next to --config; kadm accepts them and says what they replaced.
type overrides struct {
	flags *pflag.FlagSet
	// source is the configuration file; empty when there is none, and then
	// flags only fill fields and nothing is reported.
	source string
	// notes lists "--flag overrides field" for every file value a flag replaced.
	notes []string
}

// setField sets *dst to val when flag was given on the command line.
func setField[T any](o *overrides, flag, field string, dst *T, val T) {
	if !o.flags.Changed(flag) {
		return
	}
	if o.source != "" && !reflect.ValueOf(*dst).IsZero() && !reflect.DeepEqual(*dst, val) {
		o.notes = append(o.notes, fmt.Sprintf("--%s overrides %s", flag, field))
	}
	*dst = val
}

// report prints what the flags overrode.
func (o *overrides) report(ctx context.Context) {
	for _, n := range o.notes {
		progress.Printf(ctx, "[config] %s from %s\n", n, o.source)
	}
}

// changedAny returns the first of names that was set on the command line.
func changedAny(fs *pflag.FlagSet, names ...string) (string, bool) {
	for _, n := range names {
		if fs.Changed(n) {
			return n, true
		}
	}
	return "", false
}

// mergeIgnores merges the --ignore-preflight-errors list into the
// configuration's, lowercased and without duplicates, as kubeadm matches
// check names case-insensitively.
func mergeIgnores(nr *config.NodeRegistrationOptions, flag []string) error {
	var all []string
	for _, name := range append(slices.Clone(nr.IgnorePreflightErrors), flag...) {
		name = strings.ToLower(strings.TrimSpace(name))
		if name != "" && !slices.Contains(all, name) {
			all = append(all, name)
		}
	}
	if slices.Contains(all, "all") && len(all) > 1 {
		return usagef("--ignore-preflight-errors: do not name individual checks together with 'all'")
	}
	nr.IgnorePreflightErrors = all
	return nil
}
