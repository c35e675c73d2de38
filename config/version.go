package config

import (
	"fmt"
	"regexp"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/util/version"
)

// releaseVersion is kubeadm's grammar for an explicit Kubernetes version; the "v" is optional.
var releaseVersion = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^v?(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)([-0-9a-zA-Z_.+]*)?$`)
})

// ParseKubernetesVersion accepts an explicit version such as "v1.37.2" or "1.37.2". kubeadm
// also resolves labels ("stable-1", "latest", "ci/...") over the network; kadm works offline,
// so it refuses them and says what to write instead.
func ParseKubernetesVersion(s string) (*version.Version, error) {
	if releaseVersion().MatchString(s) {
		return version.ParseSemantic(strings.TrimPrefix(s, "v"))
	}
	if isVersionLabel(s) {
		return nil, fmt.Errorf("%q is a release label, which kadm cannot resolve offline: give an explicit version such as %s", s, DefaultKubernetesVersion)
	}
	return nil, fmt.Errorf("%q is not a Kubernetes version: expected the form vMAJOR.MINOR.PATCH, such as %s", s, DefaultKubernetesVersion)
}

// NormalizeKubernetesVersion gives an explicit version its "v", as kubeadm
// stores and uses it: "1.37.2" and "v1.37.2" name the same release, the same
// images and the same kubeadm-config. Anything else is returned unchanged for
// validation to report.
func NormalizeKubernetesVersion(s string) string {
	if releaseVersion().MatchString(s) && !strings.HasPrefix(s, "v") {
		return "v" + s
	}
	return s
}

func isVersionLabel(s string) bool {
	for _, prefix := range []string{"stable", "latest", "ci/", "release/"} {
		if strings.HasPrefix(s, prefix) {
			return true
		}
	}
	return false
}

func validateKubernetesVersion(errs *fieldErrors, s string) {
	const path = "kubernetesVersion"
	if s == "" {
		errs.add(path, "required")
		return
	}
	v, err := ParseKubernetesVersion(s)
	if err != nil {
		errs.addErr(path, err)
		return
	}
	if v.LessThan(version.MustParseSemantic(MinimumControlPlaneVersion)) {
		errs.add(path, "%s is too old: kadm deploys control planes from %s on", s, MinimumControlPlaneVersion)
	}
}

// newerThanSupported mirrors kubeadm's preflight check, which only warns about a control
// plane newer than itself.
func newerThanSupported(s string) bool {
	v, err := ParseKubernetesVersion(s)
	return err == nil && v.AtLeast(version.MustParseSemantic(firstUnsupportedVersion))
}
