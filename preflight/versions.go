package preflight

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/util/version"

	"github.com/kadm-project/kadm/node/initsystem"
)

// KubernetesVersion warns when the control plane to deploy is newer than the
// Kubernetes release kadm is made for (the minor after it onwards).
type KubernetesVersion struct {
	// KadmVersion is the Kubernetes release kadm is compatible with.
	KadmVersion       string
	KubernetesVersion string
}

func (KubernetesVersion) Name() string { return "KubernetesVersion" }

func (c KubernetesVersion) Check(ctx context.Context) (warnings, errs []error) {
	// Development builds carry no release version; there is nothing to compare.
	if strings.HasPrefix(c.KadmVersion, "v0.0.0") {
		return nil, nil
	}
	kadm, err := version.ParseSemantic(c.KadmVersion)
	if err != nil {
		return nil, []error{fmt.Errorf("couldn't parse kadm version %q: %w", c.KadmVersion, err)}
	}
	k8s, err := version.ParseSemantic(c.KubernetesVersion)
	if err != nil {
		return nil, []error{fmt.Errorf("couldn't parse Kubernetes version %q: %w", c.KubernetesVersion, err)}
	}
	// x.y.0-0 is the first pre-release of the next minor, so that its
	// alphas and betas count as newer too.
	firstUnsupported := version.MustParseSemantic(fmt.Sprintf("%d.%d.0-0", kadm.Major(), kadm.Minor()+1))
	if k8s.AtLeast(firstUnsupported) {
		return []error{fmt.Errorf("Kubernetes version is greater than kadm version. Please consider to upgrade kadm. "+
			"Kubernetes version: %s. Kadm version: %d.%d.x", k8s, kadm.Major(), kadm.Minor())}, nil
	}
	return nil, nil
}

// kubeletVersionTimeout bounds `kubelet --version`, which must not hang preflight.
const kubeletVersionTimeout = 30 * time.Second

// kubeletVersionLine is what `kubelet --version` prints.
var kubeletVersionLine = regexp.MustCompile(`^\s*Kubernetes v((0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)([-\w.+]*)?)\s*$`)

// errNoKubelet is KubeletVersionOf's error when the kubelet cannot be run at all.
var errNoKubelet = errors.New("cannot execute 'kubelet --version'")

// KubeletVersionOf runs `kubelet --version` through run.
func KubeletVersionOf(ctx context.Context, run initsystem.Runner) (*version.Version, error) {
	ctx, cancel := context.WithTimeout(ctx, kubeletVersionTimeout)
	defer cancel()
	out, err := run(ctx, "kubelet", "--version")
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errNoKubelet, err)
	}
	// The output may also hold warnings, which the runner mixes in.
	for _, line := range strings.Split(string(out), "\n") {
		if m := kubeletVersionLine.FindStringSubmatch(line); m != nil {
			return version.ParseSemantic(m[1])
		}
	}
	return nil, fmt.Errorf("unable to parse output from the kubelet: %q", strings.TrimSpace(string(out)))
}

// KubeletVersion checks the installed kubelet against the control plane: not
// older than kadm supports, not newer than the control plane. A kubelet that
// cannot be run at all is only a warning, since it may be installed later,
// before kubelet-start.
type KubeletVersion struct {
	// KubernetesVersion is the control plane's; empty on join, where it is
	// not known before discovery.
	KubernetesVersion string
	// Min is the oldest kubelet kadm supports.
	Min *version.Version
	Run initsystem.Runner
}

func (KubeletVersion) Name() string { return "KubeletVersion" }

func (c KubeletVersion) Check(ctx context.Context) (warnings, errs []error) {
	kubelet, err := KubeletVersionOf(ctx, c.Run)
	if errors.Is(err, errNoKubelet) {
		return []error{fmt.Errorf("couldn't get kubelet version: %w; install the kubelet before kubelet-start", err)}, nil
	}
	if err != nil {
		return nil, []error{fmt.Errorf("couldn't get kubelet version: %w", err)}
	}
	if kubelet.LessThan(c.Min) {
		return nil, []error{fmt.Errorf("Kubelet version %q is lower than kadm can support (%s). Please upgrade kubelet", kubelet, c.Min)}
	}
	if c.KubernetesVersion == "" {
		return nil, nil
	}
	k8s, err := version.ParseSemantic(c.KubernetesVersion)
	if err != nil {
		return nil, []error{fmt.Errorf("couldn't parse Kubernetes version %q: %w", c.KubernetesVersion, err)}
	}
	if kubelet.Major() > k8s.Major() || kubelet.Minor() > k8s.Minor() {
		return nil, []error{fmt.Errorf("the kubelet version is higher than the control plane version. This is not a supported version skew "+
			"and may lead to a malfunctional cluster. Kubelet version: %q Control plane version: %q", kubelet, k8s)}
	}
	return nil, nil
}

// MinKubeletVersion is the oldest kubelet kubeadm supports next to a control
// plane of version v: three minor releases older.
func MinKubeletVersion(v *version.Version) *version.Version {
	minor := max(int(v.Minor())-3, 0)
	return version.MustParseSemantic(fmt.Sprintf("v%d.%d.0", v.Major(), minor))
}
