package kubelet

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	certutil "k8s.io/client-go/util/cert"
	"sigs.k8s.io/yaml"

	"github.com/kadm-project/kadm/kubeconfig"
)

// NodeNameFromKubeconfig is the name of the Node whose credentials the kubelet's kubeconfig at path
// holds: the common name system:node:<name> of its client certificate, as kubeadm finds
// a node's name on upgrades.
func NodeNameFromKubeconfig(path string) (string, error) {
	cfg, err := kubeconfig.Load(path)
	if err != nil {
		return "", err
	}
	_, user, err := kubeconfig.Current(cfg)
	if err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	if user == nil {
		return "", fmt.Errorf("%s names no user", path)
	}
	data := user.ClientCertificateData
	if len(data) == 0 && user.ClientCertificate != "" {
		if data, err = os.ReadFile(user.ClientCertificate); err != nil {
			return "", fmt.Errorf("read the kubelet's client certificate: %w", err)
		}
	}
	certs, err := certutil.ParseCertsPEM(data)
	if err != nil {
		return "", fmt.Errorf("read the client certificate of %s: %w", path, err)
	}
	name, ok := strings.CutPrefix(certs[0].Subject.CommonName, kubeconfig.NodeUserPrefix)
	if !ok || name == "" {
		return "", fmt.Errorf("the client certificate of %s is %q, not a node's (%s<node name>)", path, certs[0].Subject.CommonName, kubeconfig.NodeUserPrefix)
	}
	return name, nil
}

// InstanceCRISocket is the container runtime endpoint instance-config.yaml in kubeletDir
// names; empty when the file or the field is absent.
func InstanceCRISocket(kubeletDir string) (string, error) {
	data, err := os.ReadFile(filepath.Join(kubeletDir, InstanceConfigFileName))
	if os.IsNotExist(err) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	var instance struct {
		ContainerRuntimeEndpoint string `json:"containerRuntimeEndpoint"`
	}
	if err := yaml.Unmarshal(data, &instance); err != nil {
		return "", fmt.Errorf("read %s: %w", filepath.Join(kubeletDir, InstanceConfigFileName), err)
	}
	return instance.ContainerRuntimeEndpoint, nil
}
