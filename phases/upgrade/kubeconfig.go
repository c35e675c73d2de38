package upgradephases

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"

	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/klog/v2"

	"github.com/kadm-project/kadm/internal/progress"
	"github.com/kadm-project/kadm/kubeconfig"
	"github.com/kadm-project/kadm/phases"
	"github.com/kadm-project/kadm/phases/options"
	"github.com/kadm-project/kadm/phases/workflow"
)

func kubeconfigPhase[D Data]() workflow.Phase[D] {
	return workflow.Phase[D]{
		Name:         "kubeconfig",
		Short:        "Upgrade kubeconfig files for this node",
		Hidden:       true,
		Run:          func(ctx context.Context, d D) error { return runKubeconfig(ctx, d) },
		InheritFlags: []string{options.Config, options.DryRun, options.Kubeconfig},
	}
}

// runKubeconfig points the kubelet of a control-plane node at its own API server when
// kubelet.conf still names the control-plane endpoint (a load balancer), as kubeadm v1.37
// does: the kubelet then does not depend on the other control-plane nodes.
func runKubeconfig(ctx context.Context, d Data) error {
	node := d.Node()
	if !node.ControlPlane {
		progress.Printf(ctx, "[upgrade/kubeconfig] Skipping phase. Not a control plane node.\n")
		return nil
	}
	path := filepath.Join(d.KubernetesDir(), kubeconfig.KubeletFile)
	changed, err := localKubelet(ctx, d, path)
	if err != nil {
		return fmt.Errorf("failed to update kubelet local mode: %w", err)
	}
	if changed {
		sys, sysErr := d.Host().InitSystem()
		phases.RestartKubelet(ctx, "upgrade/kubeconfig", d.KubeletDir(), sys, sysErr)
	}
	progress.Printf(ctx, "[upgrade/kubeconfig] The kubeconfig files for this node were successfully upgraded!\n")
	return nil
}

// localKubelet rewrites the server of kubelet.conf from the control-plane endpoint to the
// local API server; false when there is nothing to change.
func localKubelet(ctx context.Context, d Data, path string) (bool, error) {
	// Read as written, without resolving its file references: it is written back.
	cfg, err := clientcmd.LoadFromFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		klog.V(2).Infof("[upgrade/kubeconfig] %s does not exist: nothing to point at the local API server", path)
		return false, nil
	}
	if err != nil {
		return false, err
	}
	cluster, _, err := kubeconfig.Current(cfg)
	if err != nil {
		return false, fmt.Errorf("cannot find cluster for active context in kubeconfig %q: %w", path, err)
	}
	local, err := kubeconfig.LocalURL(d.Node().Endpoint)
	if err != nil {
		return false, err
	}
	endpoint, err := kubeconfig.ControlPlaneURL(d.Cluster().ControlPlaneEndpoint, d.Node().Endpoint)
	if err != nil {
		return false, err
	}
	if cluster.Server != endpoint || endpoint == local {
		return false, nil
	}
	if d.DryRun() {
		progress.Printf(ctx, "[dryrun] Would change the Server URL from %q to %q in %s and try to restart kubelet\n", cluster.Server, local, path)
		return false, nil
	}
	klog.V(1).Infof("Changing the Server URL from %q to %q in %s", cluster.Server, local, path)
	cluster.Server = local
	return true, kubeconfig.Write(path, cfg)
}
