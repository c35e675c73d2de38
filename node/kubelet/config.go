package kubelet

import (
	"fmt"

	sigsjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/config/componentconfig"
)

// ClusterConfig is the KubeletConfiguration every node of the cluster shares:
// the config file's KubeletConfiguration document (doc, empty when the file
// has none) with kubeadm's defaults filled in. Values the user set but kubeadm
// would choose differently are kept and returned as warnings, as kubeadm
// does. The result is also what belongs in the kubelet-config ConfigMap.
func ClusterConfig(doc []byte, cluster *config.ClusterConfiguration) (*componentconfig.KubeletConfiguration, []string, error) {
	kc, warnings, err := decode(doc)
	if err != nil {
		return nil, nil, err
	}
	warnings = append(warnings, setDefaults(kc, cluster)...)
	return kc, warnings, nil
}

// DecodeConfig reads a KubeletConfiguration written by kubeadm or kadm, such
// as the kubelet-config ConfigMap a joining node downloads, or config.yaml.
func DecodeConfig(data []byte) (*componentconfig.KubeletConfiguration, error) {
	kc, _, err := decode(data)
	return kc, err
}

// decode reads doc as the Kubernetes API machinery does, leniently as kubeadm
// does: field names match case-sensitively; an unknown or misspelt field is
// dropped and a repeated one keeps its last value, each with a warning, so
// that a file written for a newer kubelet still works.
func decode(doc []byte) (*componentconfig.KubeletConfiguration, []string, error) {
	kc := &componentconfig.KubeletConfiguration{}
	var warnings []string
	if len(doc) > 0 {
		data, err := yaml.YAMLToJSON(doc)
		if err != nil {
			return nil, nil, fmt.Errorf("decode the %s: %w", config.KindKubeletConfiguration, err)
		}
		strict, err := sigsjson.UnmarshalStrict(data, kc)
		if err != nil {
			return nil, nil, fmt.Errorf("decode the %s: %w", config.KindKubeletConfiguration, err)
		}
		for _, e := range strict {
			warnings = append(warnings, fmt.Sprintf("%s: %v (ignored)", config.KindKubeletConfiguration, e))
		}
	}
	if kc.APIVersion != "" && kc.APIVersion != config.KubeletConfigAPIVersion {
		return nil, nil, fmt.Errorf("%s has apiVersion %q: kadm only reads %s; convert the document by hand",
			config.KindKubeletConfiguration, kc.APIVersion, config.KubeletConfigAPIVersion)
	}
	if kc.Kind != "" && kc.Kind != config.KindKubeletConfiguration {
		return nil, nil, fmt.Errorf("expected a %s document, got kind %q", config.KindKubeletConfiguration, kc.Kind)
	}
	kc.APIVersion, kc.Kind = config.KubeletConfigAPIVersion, config.KindKubeletConfiguration
	return kc, warnings, nil
}

// Marshal renders kc as kubeadm does: YAML with sorted keys, including the
// zero values of fields the API does not omit.
func Marshal(kc *componentconfig.KubeletConfiguration) ([]byte, error) {
	out := *kc
	out.APIVersion, out.Kind = config.KubeletConfigAPIVersion, config.KindKubeletConfiguration
	b, err := yaml.Marshal(&out)
	if err != nil {
		return nil, fmt.Errorf("marshal the %s: %w", config.KindKubeletConfiguration, err)
	}
	return b, nil
}
