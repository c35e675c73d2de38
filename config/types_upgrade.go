package config

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// UpgradeConfiguration holds what `kadm upgrade apply|diff|node|plan --config` read, one
// section per command. The booleans are pointers, as in kubeadm's API, so that a field the
// file leaves out can take its default and a flag that is not given can leave the file's
// value alone.
type UpgradeConfiguration struct {
	metav1.TypeMeta `json:",inline"`

	Apply    UpgradeApplyConfiguration `json:"apply,omitempty"`
	Diff     UpgradeDiffConfiguration  `json:"diff,omitempty"`
	Node     UpgradeNodeConfiguration  `json:"node,omitempty"`
	Plan     UpgradePlanConfiguration  `json:"plan,omitempty"`
	Timeouts *Timeouts                 `json:"timeouts,omitempty"`
}

// UpgradeApplyConfiguration is `upgrade apply`'s section; each field has the flag of the same
// meaning, which wins when it is given.
type UpgradeApplyConfiguration struct {
	// KubernetesVersion is the version to upgrade to; the command's argument wins.
	KubernetesVersion         string `json:"kubernetesVersion,omitempty"`
	AllowExperimentalUpgrades *bool  `json:"allowExperimentalUpgrades,omitempty"`
	AllowRCUpgrades           *bool  `json:"allowRCUpgrades,omitempty"`
	// CertificateRenewal renews the certificates of each upgraded component (default true).
	CertificateRenewal *bool `json:"certificateRenewal,omitempty"`
	DryRun             *bool `json:"dryRun,omitempty"`
	// EtcdUpgrade upgrades the stacked etcd member too (default true).
	EtcdUpgrade *bool `json:"etcdUpgrade,omitempty"`
	// ForceUpgrade goes on past the version-skew errors that may be skipped, without asking.
	ForceUpgrade          *bool             `json:"forceUpgrade,omitempty"`
	IgnorePreflightErrors []string          `json:"ignorePreflightErrors,omitempty"`
	Patches               *Patches          `json:"patches,omitempty"`
	PrintConfig           *bool             `json:"printConfig,omitempty"`
	SkipPhases            []string          `json:"skipPhases,omitempty"`
	ImagePullPolicy       corev1.PullPolicy `json:"imagePullPolicy,omitempty"`
	ImagePullSerial       *bool             `json:"imagePullSerial,omitempty"`
}

// UpgradeDiffConfiguration is `upgrade diff`'s section.
type UpgradeDiffConfiguration struct {
	KubernetesVersion string `json:"kubernetesVersion,omitempty"`
	// DiffContextLines is the number of unchanged lines around each change (--context-lines).
	DiffContextLines int `json:"contextLines,omitempty"`
}

// UpgradeNodeConfiguration is `upgrade node`'s section.
type UpgradeNodeConfiguration struct {
	CertificateRenewal    *bool             `json:"certificateRenewal,omitempty"`
	DryRun                *bool             `json:"dryRun,omitempty"`
	EtcdUpgrade           *bool             `json:"etcdUpgrade,omitempty"`
	IgnorePreflightErrors []string          `json:"ignorePreflightErrors,omitempty"`
	SkipPhases            []string          `json:"skipPhases,omitempty"`
	Patches               *Patches          `json:"patches,omitempty"`
	ImagePullPolicy       corev1.PullPolicy `json:"imagePullPolicy,omitempty"`
	ImagePullSerial       *bool             `json:"imagePullSerial,omitempty"`
}

// UpgradePlanConfiguration is `upgrade plan`'s section.
type UpgradePlanConfiguration struct {
	KubernetesVersion         string   `json:"kubernetesVersion,omitempty"`
	AllowExperimentalUpgrades *bool    `json:"allowExperimentalUpgrades,omitempty"`
	AllowRCUpgrades           *bool    `json:"allowRCUpgrades,omitempty"`
	DryRun                    *bool    `json:"dryRun,omitempty"`
	EtcdUpgrade               *bool    `json:"etcdUpgrade,omitempty"`
	IgnorePreflightErrors     []string `json:"ignorePreflightErrors,omitempty"`
	PrintConfig               *bool    `json:"printConfig,omitempty"`
}
