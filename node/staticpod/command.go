package staticpod

import (
	"cmp"
	"slices"

	"github.com/kadm-project/kadm/config"
)

// Command is binary followed by its flags, in kubeadm's order: kadm's own
// flags sorted by name (then value), without those the user overrides, then
// the user's extraArgs exactly in the order given. The user's flags come last
// and keep their repetitions, so a flag that may be repeated can be, and a
// later flag wins for those that may not.
func Command(binary string, defaults, extra []config.Arg) []string {
	overridden := make(map[string]bool, len(extra))
	for _, a := range extra {
		overridden[a.Name] = true
	}
	base := slices.Clone(defaults)
	slices.SortStableFunc(base, func(a, b config.Arg) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.Value, b.Value))
	})
	cmd := []string{binary}
	for _, a := range base {
		if !overridden[a.Name] {
			cmd = append(cmd, flag(a))
		}
	}
	for _, a := range extra {
		cmd = append(cmd, flag(a))
	}
	return cmd
}

func flag(a config.Arg) string { return "--" + a.Name + "=" + a.Value }

// ArgValue is the value of the last flag called name, which is the one a
// component honours when a flag is given twice.
func ArgValue(args []config.Arg, name string) (string, bool) {
	for i := len(args) - 1; i >= 0; i-- {
		if args[i].Name == name {
			return args[i].Value, true
		}
	}
	return "", false
}

// SetArg replaces the value of the last flag called name, or appends the
// flag when there is none.
func SetArg(args []config.Arg, name, value string) []config.Arg {
	for i := len(args) - 1; i >= 0; i-- {
		if args[i].Name == name {
			args[i].Value = value
			return args
		}
	}
	return append(args, config.Arg{Name: name, Value: value})
}
