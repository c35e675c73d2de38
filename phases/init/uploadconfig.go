package initphases

import (
	"context"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kadm-project/kadm/cluster/clusterconfig"
	"github.com/kadm-project/kadm/cluster/objects"
	"github.com/kadm-project/kadm/internal/progress"
	"github.com/kadm-project/kadm/node/kubelet"
	"github.com/kadm-project/kadm/phases/options"
	"github.com/kadm-project/kadm/phases/workflow"
)

func uploadConfigPhase() workflow.Phase[Data] {
	return workflow.Phase[Data]{
		Name:    "upload-config",
		Short:   "Upload the kubeadm and kubelet configuration to a ConfigMap",
		Aliases: []string{"uploadconfig"},
		WithAll: true,
		Phases: []workflow.Phase[Data]{
			{
				Name:         "kubeadm",
				Short:        "Upload the kubeadm ClusterConfiguration to a ConfigMap",
				Long:         "Upload the kubeadm ClusterConfiguration to a ConfigMap called kubeadm-config in the kube-system namespace. This enables correct configuration of system components and a seamless user experience when upgrading.\n\nAlternatively, you can use kubeadm config.",
				Run:          runUploadKubeadmConfig,
				InheritFlags: uploadConfigFlags,
			},
			{
				Name:         "kubelet",
				Short:        "Upload the kubelet component config to a ConfigMap",
				Long:         "Upload the kubelet configuration extracted from the kubeadm InitConfiguration object to a kubelet-config ConfigMap in the cluster",
				Run:          runUploadKubeletConfig,
				InheritFlags: uploadConfigFlags,
			},
		},
	}
}

var uploadConfigFlags = []string{options.Config, options.CRISocket, options.Kubeconfig, options.DryRun}

func runUploadKubeadmConfig(ctx context.Context, d Data) error {
	w, err := clusterWriter(ctx, d)
	if err != nil {
		return err
	}
	progress.Printf(ctx, "[upload-config] Storing the configuration used in ConfigMap %q in the %q Namespace\n",
		clusterconfig.KubeadmConfigMap, metav1.NamespaceSystem)
	if err := clusterconfig.UploadKubeadmConfig(ctx, w, d.ClusterCfg()); err != nil {
		return fmt.Errorf("upload the kubeadm ClusterConfiguration: %w", err)
	}
	return nil
}

func runUploadKubeletConfig(ctx context.Context, d Data) error {
	w, err := clusterWriter(ctx, d)
	if err != nil {
		return err
	}
	progress.Printf(ctx, "[kubelet] Creating a ConfigMap %q in namespace %s with the configuration for the kubelets in the cluster\n",
		clusterconfig.KubeletConfigMap, metav1.NamespaceSystem)
	doc := d.KubeletConfigDocument()
	// The warnings about kept user values are kubelet-start's to print.
	kc, _, err := kubelet.ClusterConfig(doc, d.ClusterCfg())
	if err != nil {
		return err
	}
	kubeletYAML, err := kubelet.Marshal(kc)
	if err != nil {
		return err
	}
	cm, err := clusterconfig.KubeletConfig(kubeletYAML, len(doc) > 0)
	if err != nil {
		return err
	}
	if err := objects.ApplyAll(ctx, w, append([]runtime.Object{cm}, clusterconfig.KubeletConfigRBAC()...)...); err != nil {
		return fmt.Errorf("upload the kubelet configuration: %w", err)
	}
	return nil
}

// clusterWriter is where the cluster phases put objects: the cluster, or on
// --dry-run a progress line per object instead of a write.
func clusterWriter(ctx context.Context, d Data) (objects.Writer, error) {
	if d.DryRun() {
		return objects.DryRun{}, nil
	}
	client, err := d.Client(ctx)
	if err != nil {
		return nil, fmt.Errorf("connect to the cluster with %s: %w", d.KubeConfigPath(), err)
	}
	return &objects.Client{Clientset: client, Policy: apiPolicy(d)}, nil
}

// apiPolicy bounds each API operation by timeouts.kubernetesAPICall.
func apiPolicy(d Data) objects.Policy {
	var p objects.Policy
	if t := d.Cfg().Timeouts; t != nil && t.KubernetesAPICall != nil {
		p.Timeout = t.KubernetesAPICall.Duration
	}
	return p
}
