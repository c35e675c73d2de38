package upgradeplan

import (
	"context"
	"fmt"
	"strings"

	"github.com/kadm-project/kadm/cluster/kube"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"github.com/kadm-project/kadm/cluster/clusterconfig"
	"github.com/kadm-project/kadm/cluster/objects"
)

// ComponentConfig says where a component's configuration lives in the cluster and which
// API version of it kadm writes.
type ComponentConfig struct {
	APIVersion string
	ConfigMap  string
	Key        string
}

// ConfigVersions reads each component configuration and compares its API version with the
// one kadm writes. A configuration that is absent (or that the credentials may not read),
// or that kadm or kubeadm generated and an upgrade rewrites in the version kadm prefers,
// needs nothing from the user; a user's configuration in another version must be
// converted by hand before the upgrade.
func ConfigVersions(ctx context.Context, client kube.Interface, p objects.Policy, comps []ComponentConfig) ([]ConfigVersion, error) {
	out := make([]ConfigVersion, 0, len(comps))
	for _, c := range comps {
		group, preferred := splitAPIVersion(c.APIVersion)
		state := ConfigVersion{Group: group, PreferredVersion: preferred}
		err := objects.Retry(ctx, p, func(ctx context.Context) error {
			cm, err := client.CoreV1().ConfigMaps(metav1.NamespaceSystem).Get(ctx, c.ConfigMap, metav1.GetOptions{})
			if err != nil {
				return err
			}
			doc, ok := cm.Data[c.Key]
			if !ok {
				return fmt.Errorf("unexpected error when reading %s ConfigMap: %s key value pair missing", c.ConfigMap, c.Key)
			}
			var head struct {
				APIVersion string `json:"apiVersion"`
			}
			if err := yaml.Unmarshal([]byte(doc), &head); err != nil {
				return fmt.Errorf("read the %s ConfigMap: %w", c.ConfigMap, err)
			}
			_, v := splitAPIVersion(head.APIVersion)
			switch {
			case head.APIVersion == c.APIVersion:
				state.CurrentVersion = v
			case !clusterconfig.Generated(cm):
				state.CurrentVersion, state.ManualUpgradeRequired = v, true
			}
			return nil
		})
		if err != nil && !apierrors.IsNotFound(err) && !apierrors.IsForbidden(err) {
			return nil, err
		}
		out = append(out, state)
	}
	return out, nil
}

// splitAPIVersion cuts "group/version" in two; a core version has no group.
func splitAPIVersion(apiVersion string) (group, version string) {
	if i := strings.LastIndex(apiVersion, "/"); i >= 0 {
		return apiVersion[:i], apiVersion[i+1:]
	}
	return "", apiVersion
}
