package upgradeplan

import (
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/version"
)

// Plan is `upgrade plan`'s result, with the fields and JSON names of kubeadm's UpgradePlan.
type Plan struct {
	metav1.TypeMeta   `json:",inline"`
	AvailableUpgrades []AvailableUpgrade `json:"availableUpgrades,omitempty"`
	ConfigVersions    []ConfigVersion    `json:"configVersions,omitempty"`
}

// AvailableUpgrade is one version the cluster can move to and what moves with it.
type AvailableUpgrade struct {
	Description string             `json:"description"`
	Components  []ComponentUpgrade `json:"components"`
}

// ComponentUpgrade is one component on one node (none for cluster-wide ones).
type ComponentUpgrade struct {
	Name           string `json:"name"`
	CurrentVersion string `json:"currentVersion"`
	NewVersion     string `json:"newVersion"`
	NodeName       string `json:"nodeName,omitempty"`
}

// ConfigVersion is the state of one component configuration API group in the cluster.
type ConfigVersion struct {
	Group                 string `json:"group"`
	CurrentVersion        string `json:"currentVersion"`
	PreferredVersion      string `json:"preferredVersion"`
	ManualUpgradeRequired bool   `json:"manualUpgradeRequired"`
}

// Release is what one Kubernetes version brings along when kadm deploys it.
type Release struct {
	Version string
	// Etcd is the etcd image tag for Version; empty with an external etcd.
	Etcd string
	// DNS is the CoreDNS image tag.
	DNS string
}

// Offer is what `upgrade plan` can offer: the target, its release, and the version of the
// kadm doing the upgrade.
type Offer struct {
	Target      Release
	KadmVersion string
	// EtcdUpgrade shows the etcd members in the plan (--etcd-upgrade).
	EtcdUpgrade bool
}

// Available returns the upgrade from s to o.Target, or nil when the cluster already runs
// it or something newer. kadm does not look up releases online: the target is the
// version the user named, or the one kadm deploys, as kubeadm falls back to its own
// version when it cannot reach the release server.
func Available(s *State, o Offer) (*AvailableUpgrade, error) {
	current, err := NewestAPIServer(s.APIServer, s.ClusterVersion)
	if err != nil {
		return nil, err
	}
	cv, err := version.ParseSemantic(current)
	if err != nil {
		return nil, fmt.Errorf("couldn't parse the cluster version %q: %w", current, err)
	}
	tv, err := version.ParseSemantic(o.Target.Version)
	if err != nil {
		return nil, fmt.Errorf("couldn't parse the target version %q: %w", o.Target.Version, err)
	}
	if !cv.LessThan(tv) {
		return nil, nil
	}
	up := &AvailableUpgrade{Description: Description(cv, tv)}
	add := func(name string, from Versions, to string) {
		for _, v := range from.Sorted() {
			for _, node := range from[v] {
				up.Components = append(up.Components, ComponentUpgrade{Name: name, CurrentVersion: v, NewVersion: to, NodeName: node})
			}
		}
	}
	target := o.Target.Version
	if _, same := s.Kubelet[target]; len(s.Kubelet) > 1 || (len(s.Kubelet) == 1 && !same) {
		add(Kubelet, s.Kubelet, target)
	}
	add(KubeAPIServer, s.APIServer, target)
	add(KubeControllerManager, s.Controller, target)
	add(KubeScheduler, s.Scheduler, target)
	up.Components = append(up.Components, ComponentUpgrade{Name: KubeProxy, CurrentVersion: current, NewVersion: target})
	if s.DNS != "" || o.Target.DNS != "" {
		up.Components = append(up.Components, ComponentUpgrade{Name: CoreDNS, CurrentVersion: s.DNS, NewVersion: o.Target.DNS})
	}
	up.Components = append(up.Components, ComponentUpgrade{Name: Kubeadm, CurrentVersion: o.KadmVersion, NewVersion: kadmFor(o.KadmVersion, target)})
	if o.EtcdUpgrade && len(s.Etcd) > 0 {
		add(Etcd, s.Etcd, o.Target.Etcd)
	}
	return up, nil
}

// Description is how kubeadm's plan titles an upgrade: within the cluster's minor release
// a patch release, otherwise the stable release.
func Description(current, target *version.Version) string {
	if current.Major() == target.Major() && current.Minor() == target.Minor() {
		return fmt.Sprintf("version in the v%d.%d series", current.Major(), current.Minor())
	}
	return "stable version"
}

// kadmFor is the kadm an upgrade to target needs: this one, unless target is newer.
func kadmFor(kadmVersion, target string) string {
	kv, err := version.ParseSemantic(kadmVersion)
	if err != nil {
		return target
	}
	if tv, err := version.ParseSemantic(target); err == nil && tv.GreaterThan(kv) {
		return target
	}
	return kadmVersion
}
