package upgradephases

import (
	"context"
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kadm-project/kadm/cluster/clusterconfig"
	"github.com/kadm-project/kadm/cluster/objects"
	"github.com/kadm-project/kadm/internal/progress"
	"github.com/kadm-project/kadm/node/kubelet"
	"github.com/kadm-project/kadm/phases/options"
	"github.com/kadm-project/kadm/phases/workflow"
)

var uploadConfigFlags = []string{options.Config, options.Kubeconfig, options.DryRun}

func uploadConfigPhase() workflow.Phase[ApplyData] {
	return workflow.Phase[ApplyData]{
		Name:     "upload-config",
		Aliases:  []string{"uploadconfig"},
		Short:    "Upload the kubeadm and kubelet configurations to ConfigMaps",
		WithAll:  true,
		AllShort: "Upload all the configurations to ConfigMaps",
		Phases: []workflow.Phase[ApplyData]{
			{
				Name:         "kubeadm",
				Short:        "Upload the kubeadm ClusterConfiguration to a ConfigMap",
				Run:          runUploadKubeadmConfig,
				InheritFlags: uploadConfigFlags,
			},
			{
				Name:         "kubelet",
				Short:        "Upload the kubelet configuration to a ConfigMap",
				Run:          runUploadKubeletConfig,
				InheritFlags: uploadConfigFlags,
			},
		},
	}
}

// writer is where the cluster phases put objects: the cluster, or on a dry run a
// progress line per object.
func writer(ctx context.Context, d Data) (objects.Writer, error) {
	if d.DryRun() {
		return objects.DryRun{}, nil
	}
	client, err := d.Client(ctx)
	if err != nil {
		return nil, err
	}
	return &objects.Client{Clientset: client, Policy: apiPolicy(d)}, nil
}

// runUploadKubeadmConfig stores the ClusterConfiguration with the new version, which the
// other nodes' `upgrade node` and later joins read.
func runUploadKubeadmConfig(ctx context.Context, d ApplyData) error {
	w, err := writer(ctx, d)
	if err != nil {
		return err
	}
	progress.Printf(ctx, "[upgrade/upload-config] Uploading the kubeadm ClusterConfiguration to a ConfigMap %q in the %q Namespace\n",
		clusterconfig.KubeadmConfigMap, metav1.NamespaceSystem)
	if err := clusterconfig.UploadKubeadmConfig(ctx, w, d.Cluster()); err != nil {
		return fmt.Errorf("error uploading the kubeadm ClusterConfiguration: %w", err)
	}
	return nil
}

// runUploadKubeletConfig rewrites kubelet-config from the cluster's own kubelet
// configuration, never from defaults alone: the values a user set there survive the
// upgrade (kubernetes/kubeadm#3049), and kadm's defaults only fill what is unset.
func runUploadKubeletConfig(ctx context.Context, d ApplyData) error {
	w, err := writer(ctx, d)
	if err != nil {
		return err
	}
	current, err := clusterKubelet(ctx, d)
	if err != nil {
		return err
	}
	doc, userSupplied := []byte(nil), false
	if current != nil {
		doc, userSupplied = []byte(current.Data[clusterconfig.KubeletConfigKey]), !clusterconfig.Generated(current)
	}
	kc, _, err := kubelet.ClusterConfig(doc, d.Cluster())
	if err != nil {
		return err
	}
	kubeletYAML, err := kubelet.Marshal(kc)
	if err != nil {
		return err
	}
	cm, err := clusterconfig.KubeletConfig(kubeletYAML, userSupplied)
	if err != nil {
		return err
	}
	progress.Printf(ctx, "[upgrade/upload-config] Uploading the kubelet configuration to a ConfigMap %q in the %q Namespace\n",
		clusterconfig.KubeletConfigMap, metav1.NamespaceSystem)
	if err := objects.ApplyAll(ctx, w, append([]runtime.Object{cm}, clusterconfig.KubeletConfigRBAC()...)...); err != nil {
		return fmt.Errorf("error creating kubelet configuration ConfigMap: %w", err)
	}
	return nil
}

// clusterKubelet is the kubelet-config ConfigMap as stored; nil when there is none.
func clusterKubelet(ctx context.Context, d Data) (*corev1.ConfigMap, error) {
	client, err := d.Client(ctx)
	if err != nil {
		return nil, err
	}
	cm, err := clusterconfig.ReadKubeletConfigMap(ctx, client, apiPolicy(d), d.Program())
	if errors.Is(err, clusterconfig.ErrMissing) {
		return nil, nil
	}
	return cm, err
}
