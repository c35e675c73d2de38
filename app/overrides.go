package app

import (
	"context"
	"errors"
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
	// set maps each field a flag set to that flag.
	set map[string]string
}

// setField sets *dst to val when flag was given on the command line.
func setField[T any](o *overrides, flag, field string, dst *T, val T) {
	if !o.flags.Changed(flag) {
		return
	}
	if o.set == nil {
		o.set = map[string]string{}
	}
	o.set[field] = flag
	if o.source != "" && !reflect.ValueOf(*dst).IsZero() && !reflect.DeepEqual(*dst, val) {
		o.notes = append(o.notes, fmt.Sprintf("--%s overrides %s", flag, field))
	}
	*dst = val
}

// nameFlags makes a validation error name the flag that set a field, not
// the field the user never wrote: `--pod-network-cidr: ...`, not
// `networking.podSubnet: ...`. Other errors are returned unchanged.
func (o *overrides) nameFlags(err error) error {
	var ve *config.ValidationError
	if !errors.As(err, &ve) || len(o.set) == 0 {
		return err
	}
	named := &config.ValidationError{Source: ve.Source}
	for _, fe := range ve.Errors {
		for field, flag := range o.set {
			if fe.Field == field || strings.HasPrefix(fe.Field, field+".") || strings.HasPrefix(fe.Field, field+"[") {
				fe.Field = "--" + flag
			}
		}
		// One flag may fill two fields (--token): say it once.
		if !slices.Contains(named.Errors, fe) {
			named.Errors = append(named.Errors, fe)
		}
	}
	return named
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
