package kubelet

import (
	"cmp"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/kadm-project/kadm/config"
)

// Hostname is the host's name as the kubelet sees it: trimmed and lowercased.
func Hostname() (string, error) {
	h, err := os.Hostname()
	if err != nil {
		return "", fmt.Errorf("read the host name: %w", err)
	}
	h = strings.ToLower(strings.TrimSpace(h))
	if h == "" {
		return "", fmt.Errorf("the host name is empty: set one, or give the node a name with --node-name")
	}
	return h, nil
}

// NodeName is the name the kubelet registers its Node under: the last
// --hostname-override in kubeletExtraArgs, else nodeRegistration.name, else
// the host name.
func NodeName(nr *config.NodeRegistrationOptions, hostname string) string {
	name := cmp.Or(nr.Name, hostname)
	for _, a := range nr.KubeletExtraArgs {
		if a.Name == "hostname-override" {
			name = a.Value
		}
	}
	return name
}

// Flags are the kubelet command-line flags kubeadm v1.37 writes for a node:
// --hostname-override when the node's name is not the host's, the node's
// taints when registerTaints (a worker joining; control-plane nodes get them
// from mark-control-plane), then kubeletExtraArgs, each of which replaces a
// flag of the same name. kadm's own flags come sorted, the extra ones in the
// order given, as kubeadm writes them.
func Flags(nr *config.NodeRegistrationOptions, hostname string, registerTaints bool) []string {
	var base []config.Arg
	if registerTaints && len(nr.Taints) > 0 {
		taints := make([]string, len(nr.Taints))
		for i, t := range nr.Taints {
			taints[i] = t.ToString()
		}
		base = append(base, config.Arg{Name: "register-with-taints", Value: strings.Join(taints, ",")})
	}
	if name := NodeName(nr, hostname); name != hostname {
		base = append(base, config.Arg{Name: "hostname-override", Value: name})
	}
	slices.SortFunc(base, func(a, b config.Arg) int {
		return cmp.Or(strings.Compare(a.Name, b.Name), strings.Compare(a.Value, b.Value))
	})

	var out []string
	for _, a := range base {
		if !slices.ContainsFunc(nr.KubeletExtraArgs, func(x config.Arg) bool { return x.Name == a.Name }) {
			out = append(out, "--"+a.Name+"="+a.Value)
		}
	}
	for _, a := range nr.KubeletExtraArgs {
		out = append(out, "--"+a.Name+"="+a.Value)
	}
	return out
}

// FlagsEnv is kubeadm-flags.env for flags: one shell variable whose value is
// a Go-quoted string, exactly as kubeadm writes it.
func FlagsEnv(flags []string) []byte {
	return fmt.Appendf(nil, "%s=%q\n", FlagsVariable, strings.Join(flags, " "))
}
