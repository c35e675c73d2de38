package config

import (
	"fmt"

	"sigs.k8s.io/yaml"
)

// SetUpgradeDefaults fills the unset fields of c with kubeadm v1.37's defaults: etcd is
// upgraded and certificates renewed unless the file says otherwise, images are pulled when
// missing, one at a time.
func SetUpgradeDefaults(c *UpgradeConfiguration) {
	setTypeMeta(&c.TypeMeta, KindUpgradeConfiguration)
	a, n := &c.Apply, &c.Node
	for _, b := range []**bool{&a.EtcdUpgrade, &a.CertificateRenewal, &a.ImagePullSerial,
		&n.EtcdUpgrade, &n.CertificateRenewal, &n.ImagePullSerial, &c.Plan.EtcdUpgrade} {
		setBool(b, true)
	}
	if a.ImagePullPolicy == "" {
		a.ImagePullPolicy = DefaultImagePullPolicy
	}
	if n.ImagePullPolicy == "" {
		n.ImagePullPolicy = DefaultImagePullPolicy
	}
	c.Timeouts = defaultedTimeouts(c.Timeouts)
}

// DefaultUpgradeConfiguration is what `kadm upgrade` starts from without a config file.
func DefaultUpgradeConfiguration() *UpgradeConfiguration {
	c := &UpgradeConfiguration{}
	SetUpgradeDefaults(c)
	return c
}

// ValidateUpgrade checks a defaulted upgrade configuration; nil or a *ValidationError.
func ValidateUpgrade(c *UpgradeConfiguration) error {
	var errs fieldErrors
	for _, s := range []struct {
		path    string
		version string
	}{{"apply", c.Apply.KubernetesVersion}, {"diff", c.Diff.KubernetesVersion}, {"plan", c.Plan.KubernetesVersion}} {
		if s.version != "" {
			if _, err := ResolveKubernetesVersion(s.version); err != nil {
				errs.addErr(s.path+".kubernetesVersion", err)
			}
		}
	}
	for _, p := range []struct {
		path    string
		patches *Patches
	}{{"apply.patches.directory", c.Apply.Patches}, {"node.patches.directory", c.Node.Patches}} {
		if p.patches != nil {
			validateAbsPath(&errs, p.patches.Directory, p.path)
		}
	}
	validatePullPolicy(&errs, c.Apply.ImagePullPolicy, "apply.imagePullPolicy")
	validatePullPolicy(&errs, c.Node.ImagePullPolicy, "node.imagePullPolicy")
	validateIgnorePreflightErrors(&errs, c.Apply.IgnorePreflightErrors, "apply.ignorePreflightErrors")
	validateIgnorePreflightErrors(&errs, c.Node.IgnorePreflightErrors, "node.ignorePreflightErrors")
	validateIgnorePreflightErrors(&errs, c.Plan.IgnorePreflightErrors, "plan.ignorePreflightErrors")
	for _, s := range []struct {
		path   string
		phases []string
	}{{"apply.skipPhases", c.Apply.SkipPhases}, {"node.skipPhases", c.Node.SkipPhases}} {
		for i, p := range s.phases {
			if p == "" {
				errs.add(index(s.path, i), "empty phase name")
			}
		}
	}
	if c.Diff.DiffContextLines < 0 {
		errs.add("diff.contextLines", "%d is negative", c.Diff.DiffContextLines)
	}
	validateTimeouts(&errs, c.Timeouts)
	return errs.result()
}

// PrintUpgradeDefaults returns what `config print upgrade-defaults` shows.
func PrintUpgradeDefaults() ([]byte, error) {
	b, err := yaml.Marshal(DefaultUpgradeConfiguration())
	if err != nil {
		return nil, fmt.Errorf("marshal %s: %w", KindUpgradeConfiguration, err)
	}
	return b, nil
}

// Bool is the value of an optional boolean of the API, false when unset.
func Bool(b *bool) bool { return b != nil && *b }

func setBool(field **bool, value bool) {
	if *field == nil {
		*field = &value
	}
}
