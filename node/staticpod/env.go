package staticpod

import (
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/kadm-project/kadm/config"
)

// ProxyEnv picks the proxy settings (any variable whose name ends in
// "_proxy", in any case, with a value) out of environ, given as os.Environ
// gives it. Control-plane components that reach out (webhooks, cloud APIs)
// must go through the same proxy as kadm itself.
func ProxyEnv(environ []string) []config.EnvVar {
	var env []config.EnvVar
	for _, kv := range environ {
		name, value, ok := strings.Cut(kv, "=")
		if ok && value != "" && strings.HasSuffix(strings.ToLower(name), "_proxy") {
			env = append(env, config.EnvVar{EnvVar: corev1.EnvVar{Name: name, Value: value}})
		}
	}
	return env
}

// Env merges lists of variables, a later list's variable replacing an
// earlier one of the same name, and sorts the result by name so that the
// manifest does not change with the order of the environment.
func Env(lists ...[]config.EnvVar) []corev1.EnvVar {
	byName := map[string]corev1.EnvVar{}
	for _, l := range lists {
		for _, e := range l {
			byName[e.Name] = e.EnvVar
		}
	}
	if len(byName) == 0 {
		return nil
	}
	env := make([]corev1.EnvVar, 0, len(byName))
	for _, e := range byName {
		env = append(env, e)
	}
	slices.SortFunc(env, func(a, b corev1.EnvVar) int { return strings.Compare(a.Name, b.Name) })
	return env
}
