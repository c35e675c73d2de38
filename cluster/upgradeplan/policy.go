package upgradeplan

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/util/version"
)

// kubeadm's version-skew policy for upgrades.
const (
	// MaxMinorUpgradeSkew: the control plane moves one minor release at a time.
	MaxMinorUpgradeSkew = 1
	// MaxMinorDowngradeSkew: and back by one at most.
	MaxMinorDowngradeSkew = 1
	// MaxMinorKubeletSkew: a kubelet may be this many minor releases behind the control plane.
	MaxMinorKubeletSkew = 3
)

// Skew is what a target version breaks of the policy. Mandatory problems stop the upgrade;
// Skippable ones stop it unless forced (--force).
type Skew struct {
	Mandatory []error
	Skippable []error
}

// Empty is true when the target keeps to the policy.
func (s *Skew) Empty() bool { return len(s.Mandatory) == 0 && len(s.Skippable) == 0 }

// Target is an upgrade's wish: the version and which unstable versions are allowed.
type Target struct {
	// Version is the version to upgrade to, as the user gave it (for messages).
	Version string
	// Minimum is the oldest control plane the upgrading kadm deploys.
	Minimum           string
	AllowExperimental bool
	AllowRC           bool
}

// CheckSkew applies kubeadm's rules, with kubeadm's messages, to an upgrade of a cluster
// whose API servers run clusterVersion and whose kubelets run kubelets, by a kadm that
// deploys kadmVersion, to t.Version.
func CheckSkew(clusterVersion string, kubelets Versions, kadmVersion string, t Target) *Skew {
	s := &Skew{}
	target, err := version.ParseSemantic(t.Version)
	if err != nil {
		s.Mandatory = append(s.Mandatory, fmt.Errorf("unable to parse normalized version %q as a semantic version", t.Version))
		return s
	}
	cluster, err := version.ParseSemantic(clusterVersion)
	if err != nil {
		s.Mandatory = append(s.Mandatory, fmt.Errorf("Unable to fetch cluster version: couldn't parse cluster version %q: %v", clusterVersion, err))
		return s
	}
	kadm, err := version.ParseSemantic(kadmVersion)
	if err != nil {
		s.Mandatory = append(s.Mandatory, fmt.Errorf("Unable to fetch kubeadm version: couldn't parse %q: %v", kadmVersion, err))
		return s
	}
	unstable := target.PreRelease() != ""
	// A pre-release may go further than a release, if forced.
	tooFar := func(err error) {
		if unstable {
			s.Skippable = append(s.Skippable, err)
		} else {
			s.Mandatory = append(s.Mandatory, err)
		}
	}
	if minimum, err := version.ParseSemantic(t.Minimum); err == nil && !target.AtLeast(minimum) {
		s.Mandatory = append(s.Mandatory, fmt.Errorf("Specified version to upgrade to %q is equal to or lower than the minimum supported version %q. Please specify a higher version to upgrade to", t.Version, t.Minimum))
	}
	if target.Minor() > cluster.Minor()+MaxMinorUpgradeSkew {
		tooFar(fmt.Errorf("Specified version to upgrade to %q is too high; kubeadm can upgrade only %d minor version at a time", t.Version, MaxMinorUpgradeSkew))
	}
	if target.Minor()+MaxMinorDowngradeSkew < cluster.Minor() {
		tooFar(fmt.Errorf("Specified version to downgrade to %q is too low; kubeadm can downgrade only %d minor version at a time", t.Version, MaxMinorDowngradeSkew))
	}
	if kadm.LessThan(target) {
		if target.Minor() > kadm.Minor() {
			tooFar(fmt.Errorf("Specified version to upgrade to %q is at least one minor release higher than the kubeadm minor release (%d > %d). Such an upgrade is not supported", t.Version, target.Minor(), kadm.Minor()))
		} else {
			s.Skippable = append(s.Skippable, fmt.Errorf("Specified version to upgrade to %q is higher than the kubeadm version %q. Upgrade kubeadm first using the tool you used to install kubeadm", t.Version, kadmVersion))
		}
	}
	if kadm.Major() > target.Major() || kadm.Minor() > target.Minor() {
		s.Skippable = append(s.Skippable, fmt.Errorf("Kubeadm version %s can only be used to upgrade to Kubernetes version %d.%d", kadmVersion, kadm.Major(), kadm.Minor()))
	}
	if unstable && !t.AllowExperimental && !(strings.HasPrefix(target.PreRelease(), "rc") && t.AllowRC) {
		s.Skippable = append(s.Skippable, fmt.Errorf("Specified version to upgrade to %q is an unstable version and such upgrades weren't allowed via setting the --allow-*-upgrades flags", t.Version))
	}
	if err := tooOldKubelets(target, kubelets); err != nil {
		s.Skippable = append(s.Skippable, err)
	}
	return s
}

// tooOldKubelets names the kubelet versions more than MaxMinorKubeletSkew minor releases
// behind target.
func tooOldKubelets(target *version.Version, kubelets Versions) error {
	var old []string
	for _, v := range kubelets.Sorted() {
		kv, err := version.ParseSemantic(v)
		if err != nil {
			return fmt.Errorf("couldn't parse kubelet version %s", v)
		}
		if target.Minor() > kv.Minor()+MaxMinorKubeletSkew {
			old = append(old, v)
		}
	}
	if len(old) == 0 {
		return nil
	}
	return fmt.Errorf("There are kubelets in this cluster that are too old that have these versions %v", old)
}

// Enforce turns s into the error that stops the upgrade, in kubeadm's words, or nil. A
// forced upgrade goes on past the skippable problems; warn reports them then.
func (s *Skew) Enforce(force bool, warn func(format string, args ...any)) error {
	if len(s.Mandatory) > 0 {
		return fmt.Errorf("the version argument is invalid due to these fatal errors:\n\n%s\nPlease fix the misalignments highlighted above and try upgrading again", list(s.Mandatory))
	}
	if len(s.Skippable) == 0 {
		return nil
	}
	if !force {
		return fmt.Errorf("the version argument is invalid due to these errors:\n\n%s\nCan be bypassed if you pass the --force flag", list(s.Skippable))
	}
	warn("[upgrade/preflight] Found %d potential version compatibility errors but skipping since the --force flag is set: \n\n%s", len(s.Skippable), list(s.Skippable))
	return nil
}

func list(errs []error) string {
	var b strings.Builder
	for _, e := range errs {
		fmt.Fprintf(&b, "\t- %v\n", e)
	}
	return b.String()
}

// NewestAPIServer is the newest version among the API servers, or clusterVersion when no
// mirror Pod says (a control plane kadm cannot see).
func NewestAPIServer(apiServers Versions, clusterVersion string) (string, error) {
	newest, best := clusterVersion, (*version.Version)(nil)
	for _, v := range apiServers.Sorted() {
		pv, err := version.ParseSemantic(v)
		if err != nil {
			return "", fmt.Errorf("couldn't parse kube-apiserver version %s from nodes %v", v, apiServers[v])
		}
		if best == nil || pv.AtLeast(best) {
			newest, best = v, pv
		}
	}
	return newest, nil
}
