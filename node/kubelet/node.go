package kubelet

import (
	"context"
	"fmt"

	"k8s.io/apimachinery/pkg/util/strategicpatch"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/yaml"

	"github.com/kadm-project/kadm/config/componentconfig"
	"github.com/kadm-project/kadm/node/initsystem"
)

// ResolvedActive tells whether systemd-resolved runs on the host whose init system
// is sys (nil when it has none): what Node.SystemdResolved says.
func ResolvedActive(ctx context.Context, sys initsystem.InitSystem) bool {
	return sys != nil && sys.IsActive(ctx, SystemdResolvedService)
}

// PatchTarget is the --patches target of the KubeletConfiguration, as kubeadm
// names it in patch file names.
const PatchTarget = "kubeletconfiguration"

// PatchFunc applies the user's --patches for target (PatchTarget here) to a
// document given as YAML, and returns YAML or JSON. It has the shape of the
// other packages' patch hooks, so that one function serves them all.
type PatchFunc func(target string, doc []byte) ([]byte, error)

// Node is what config.yaml needs to know about this node beyond the
// cluster-wide KubeletConfiguration.
type Node struct {
	// CRISocket is the container runtime endpoint, stored in instance-config.yaml.
	CRISocket string
	// SystemdResolved is true when systemd-resolved is active on the host.
	SystemdResolved bool
	// Patch is nil when no --patches directory was given.
	Patch PatchFunc
}

// InstanceConfig is instance-config.yaml: the KubeletConfiguration fields that
// are this node's own, in kubeadm's format. kubeadm v1.37 writes the
// container runtime endpoint here instead of --container-runtime-endpoint in
// kubeadm-flags.env.
func InstanceConfig(criSocket string) []byte {
	return fmt.Appendf(nil, "containerRuntimeEndpoint: %q\n", criSocket)
}

// NodeConfig is config.yaml for this node: the cluster-wide configuration
// with the host's resolver, then the user's patches, then instance-config.yaml
// merged on top, in kubeadm's order, so that a patch cannot take the node's
// runtime endpoint away. cluster is not modified: it may still be uploaded.
// The warnings are kubeadm's "recommended value" messages.
func NodeConfig(cluster *componentconfig.KubeletConfiguration, node Node) ([]byte, []string, error) {
	// A shallow copy suffices: only the ResolverConfig pointer is replaced.
	kc := *cluster
	var w warnings
	if node.SystemdResolved {
		if kc.ResolverConfig == nil {
			kc.ResolverConfig = ptr.To(SystemdResolvConf)
		} else if *kc.ResolverConfig != SystemdResolvConf {
			w.add("resolvConf", SystemdResolvConf, *kc.ResolverConfig)
		}
	}
	doc, err := Marshal(&kc)
	if err != nil {
		return nil, nil, err
	}
	if node.Patch != nil {
		if doc, err = node.Patch(PatchTarget, doc); err != nil {
			return nil, nil, fmt.Errorf("apply the patches to the KubeletConfiguration: %w", err)
		}
	}
	doc, err = mergeInstance(doc, InstanceConfig(node.CRISocket))
	if err != nil {
		return nil, nil, err
	}
	return doc, w, nil
}

// mergeInstance applies instance-config.yaml as a strategic merge patch, as
// kubeadm does, and returns YAML with sorted keys.
func mergeInstance(doc, instance []byte) ([]byte, error) {
	docJSON, err := yaml.YAMLToJSON(doc)
	if err != nil {
		return nil, fmt.Errorf("read the patched KubeletConfiguration: %w", err)
	}
	instanceJSON, err := yaml.YAMLToJSON(instance)
	if err != nil {
		return nil, fmt.Errorf("read the kubelet instance configuration: %w", err)
	}
	merged, err := strategicpatch.StrategicMergePatch(docJSON, instanceJSON, componentconfig.KubeletConfiguration{})
	if err != nil {
		return nil, fmt.Errorf("merge the kubelet instance configuration into the KubeletConfiguration: %w", err)
	}
	out, err := yaml.JSONToYAML(merged)
	if err != nil {
		return nil, fmt.Errorf("render the KubeletConfiguration: %w", err)
	}
	return out, nil
}
