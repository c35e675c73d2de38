package config

import (
	"fmt"
	"regexp"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/util/version"
	"k8s.io/klog/v2"
)

// releaseVersion is kubeadm's grammar for an explicit Kubernetes version; the "v" is optional.
var releaseVersion = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^v?(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)([-0-9a-zA-Z_.+]*)?$`)
})

// versionLabel is kubeadm's grammar for a release label, after an optional "release/" or
// "ci/" bucket: stable, latest, stable-1, latest-1.37, ...
var versionLabel = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(?:(release|ci)/)?((?:latest|stable)+(?:-[1-9](?:\.[1-9][0-9]?)?)?)$`)
})

// labelWarned keeps ResolveKubernetesVersion to one warning per label and process.
var labelWarned sync.Map

// ResolveKubernetesVersion returns the explicit version s names, with its "v". A release
// label (stable-1, latest, ci/latest, ...) names the version kubeadm would fetch from
// dl.k8s.io; kadm never fetches it and, as kubeadm does when it cannot, falls back to its
// own version, DefaultKubernetesVersion, with a warning.
func ResolveKubernetesVersion(s string) (string, error) {
	if releaseVersion().MatchString(s) {
		if !strings.HasPrefix(s, "v") {
			return "v" + s, nil
		}
		return s, nil
	}
	m := versionLabel().FindStringSubmatch(s)
	if m == nil {
		return "", fmt.Errorf("%q is not a Kubernetes version: expected the form vMAJOR.MINOR.PATCH, such as %s, or a release label (stable, stable-1, latest, ...)", s, DefaultKubernetesVersion)
	}
	if _, warned := labelWarned.LoadOrStore(s, true); !warned {
		url := "https://dl.k8s.io/release/" + m[2] + ".txt"
		if m[1] == "ci" {
			url = "https://storage.googleapis.com/k8s-release-dev/ci/" + m[2] + ".txt"
		}
		klog.Warningf("kadm does not fetch Kubernetes versions from the internet (%q is at %s)", s, url)
		klog.Warningf("falling back to the local client version: %s", DefaultKubernetesVersion)
	}
	return DefaultKubernetesVersion, nil
}

// ParseKubernetesVersion accepts an explicit version such as "v1.37.2" or "1.37.2"; labels
// are resolved by ResolveKubernetesVersion, at defaulting, before anything parses them.
func ParseKubernetesVersion(s string) (*version.Version, error) {
	if releaseVersion().MatchString(s) {
		return version.ParseSemantic(strings.TrimPrefix(s, "v"))
	}
	return nil, fmt.Errorf("%q is not a Kubernetes version: expected the form vMAJOR.MINOR.PATCH, such as %s", s, DefaultKubernetesVersion)
}

// NormalizeKubernetesVersion is ResolveKubernetesVersion at defaulting: "1.37.2",
// "v1.37.2" and "stable-1" name the same release, the same images and the same
// kubeadm-config. What is neither a version nor a label is returned unchanged for
// validation to report.
func NormalizeKubernetesVersion(s string) string {
	if v, err := ResolveKubernetesVersion(s); err == nil {
		return v
	}
	return s
}

func validateKubernetesVersion(errs *fieldErrors, s string) {
	const path = "kubernetesVersion"
	if s == "" {
		errs.add(path, "required")
		return
	}
	resolved, err := ResolveKubernetesVersion(s)
	if err != nil {
		errs.addErr(path, err)
		return
	}
	v, err := ParseKubernetesVersion(resolved)
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
