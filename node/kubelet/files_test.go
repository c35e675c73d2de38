package kubelet

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/internal/golden"
)

// customDoc is a config file's KubeletConfiguration document that departs
// from kubeadm's recommendations, sets fields kubeadm leaves alone and has a
// misspelt field.
const customDoc = `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
cgroupDriver: cgroupfs
clusterDNS:
- 10.0.0.53
maxPods: 200
healthzPort: 10249
featureGates:
  GracefulNodeShutdown: true
shutdownGracePeriod: 30s
evictionHard:
  memory.available: 200Mi
maxpods: 1
`

// strategicPatch is a --patches stand-in that merges fixed YAML into the document.
func strategicPatch(patch string) PatchFunc {
	return func(target string, doc []byte) ([]byte, error) {
		if target != PatchTarget {
			return nil, fmt.Errorf("patched target %q, want %q", target, PatchTarget)
		}
		return mergeInstance(doc, []byte(patch))
	}
}

func TestFiles(t *testing.T) {
	t.Parallel()
	custom := config.DefaultClusterConfiguration()
	custom.Networking.ServiceSubnet = "10.200.0.0/16"
	custom.Networking.DNSDomain = "example.internal"
	custom.CertificatesDir = "/srv/pki"

	tests := []struct {
		name           string
		doc            string
		cluster        *config.ClusterConfiguration
		nr             config.NodeRegistrationOptions
		hostname       string
		registerTaints bool
		node           Node
	}{
		{
			name:     "default",
			cluster:  config.DefaultClusterConfiguration(),
			nr:       config.NodeRegistrationOptions{Name: "cp-1"},
			hostname: "cp-1",
			node:     Node{CRISocket: config.CRISocketContainerd},
		},
		{
			name:    "custom",
			doc:     customDoc,
			cluster: custom,
			nr: config.NodeRegistrationOptions{
				Name:   "node-a",
				Taints: []corev1.Taint{config.ControlPlaneTaint()},
				KubeletExtraArgs: []config.Arg{
					{Name: "node-labels", Value: "tier=front,zone=a"},
					{Name: "v", Value: "4"},
					{Name: "node-ip", Value: "10.1.2.3"},
				},
			},
			hostname: "host-1",
			node: Node{
				CRISocket:       config.CRISocketCRIO,
				SystemdResolved: true,
				// The patch also tries to change the runtime endpoint, which
				// instance-config.yaml must win back.
				Patch: strategicPatch("serializeImagePulls: false\ncontainerRuntimeEndpoint: unix:///wrong.sock\n"),
			},
		},
		{
			name:    "worker-taints",
			cluster: config.DefaultClusterConfiguration(),
			nr: config.NodeRegistrationOptions{
				Name: "worker-1",
				Taints: []corev1.Taint{
					{Key: "dedicated", Value: "gpu", Effect: corev1.TaintEffectNoSchedule},
					{Key: "spot", Effect: corev1.TaintEffectPreferNoSchedule},
				},
				KubeletExtraArgs: []config.Arg{{Name: "hostname-override", Value: "worker-1.example"}},
			},
			hostname:       "worker-1",
			registerTaints: true,
			node:           Node{CRISocket: config.CRISocketContainerd},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			kc, warnings, err := ClusterConfig([]byte(tt.doc), tt.cluster)
			if err != nil {
				t.Fatal(err)
			}
			before, err := Marshal(kc)
			if err != nil {
				t.Fatal(err)
			}
			cfg, nodeWarnings, err := NodeConfig(kc, tt.node)
			if err != nil {
				t.Fatal(err)
			}
			if after, _ := Marshal(kc); string(after) != string(before) {
				t.Errorf("NodeConfig changed the cluster-wide configuration:\n%s", after)
			}
			golden.Assert(t, filepath.Join("testdata", tt.name, ConfigFileName), cfg)
			golden.Assert(t, filepath.Join("testdata", tt.name, InstanceConfigFileName), InstanceConfig(tt.node.CRISocket))
			golden.Assert(t, filepath.Join("testdata", tt.name, FlagsFileName), FlagsEnv(Flags(&tt.nr, tt.hostname, tt.registerTaints)))
			all := append(warnings, nodeWarnings...)
			golden.Assert(t, filepath.Join("testdata", tt.name, "warnings.txt"), []byte(strings.Join(all, "\n")+"\n"))

			// config.yaml must read back as a KubeletConfiguration that
			// runs the node's runtime.
			back, err := DecodeConfig(cfg)
			if err != nil {
				t.Fatalf("config.yaml does not read back: %v", err)
			}
			if back.ContainerRuntimeEndpoint != tt.node.CRISocket {
				t.Errorf("containerRuntimeEndpoint = %q, want %q", back.ContainerRuntimeEndpoint, tt.node.CRISocket)
			}
		})
	}
}

func TestClusterConfigErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, doc, want string
	}{
		{name: "old version", doc: "apiVersion: kubelet.config.k8s.io/v1alpha1\nkind: KubeletConfiguration\n", want: `apiVersion "kubelet.config.k8s.io/v1alpha1"`},
		{name: "wrong kind", doc: "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeProxyConfiguration\n", want: `kind "KubeProxyConfiguration"`},
		{name: "wrong type", doc: "maxPods: many\n", want: "decode the KubeletConfiguration"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, _, err := ClusterConfig([]byte(tt.doc), config.DefaultClusterConfiguration())
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("ClusterConfig() error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestClusterConfigKeepsUserChoices(t *testing.T) {
	t.Parallel()
	doc := "authentication:\n  anonymous:\n    enabled: true\n  webhook:\n    enabled: false\nauthorization:\n  mode: AlwaysAllow\nreadOnlyPort: 10255\nstaticPodPath: /srv/manifests\n"
	kc, warnings, err := ClusterConfig([]byte(doc), config.DefaultClusterConfiguration())
	if err != nil {
		t.Fatal(err)
	}
	if !*kc.Authentication.Anonymous.Enabled || *kc.Authentication.Webhook.Enabled || kc.Authorization.Mode != "AlwaysAllow" ||
		kc.ReadOnlyPort != 10255 || kc.StaticPodPath != "/srv/manifests" {
		b, _ := yaml.Marshal(kc)
		t.Errorf("user choices were overridden:\n%s", b)
	}
	for _, field := range []string{"authentication.anonymous.enabled", "authentication.webhook.enabled", "authorization.mode", "readOnlyPort", "staticPodPath"} {
		if !strings.Contains(strings.Join(warnings, "\n"), fmt.Sprintf("%q", field)) {
			t.Errorf("no warning for %s in %q", field, warnings)
		}
	}
}

func TestPatchError(t *testing.T) {
	t.Parallel()
	kc, _, err := ClusterConfig(nil, config.DefaultClusterConfiguration())
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = NodeConfig(kc, Node{Patch: func(string, []byte) ([]byte, error) { return nil, fmt.Errorf("bad patch file") }})
	if err == nil || !strings.Contains(err.Error(), "bad patch file") {
		t.Fatalf("NodeConfig() error = %v, want the patch's error", err)
	}
}
