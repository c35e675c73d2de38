package initphases

import (
	"context"
	"path/filepath"

	"k8s.io/klog/v2"

	"github.com/kadm-project/kadm/internal/progress"
	"github.com/kadm-project/kadm/node/initsystem"
	"github.com/kadm-project/kadm/node/kubelet"
	"github.com/kadm-project/kadm/node/machine"
	"github.com/kadm-project/kadm/phases"
	"github.com/kadm-project/kadm/phases/options"
	"github.com/kadm-project/kadm/phases/workflow"
)

func kubeletStartPhase() workflow.Phase[Data] {
	return workflow.Phase[Data]{
		Name:    "kubelet-start",
		Short:   "Write kubelet settings and (re)start the kubelet",
		Long:    "Write a file with KubeletConfiguration and an environment file with node specific kubelet settings, and then (re)start kubelet.",
		Example: "  # Writes a dynamic environment file with kubelet flags from a InitConfiguration file.\n  kubeadm init phase kubelet-start --config config.yaml",
		Run: func(ctx context.Context, d Data) error {
			return runKubeletStart(ctx, d, d.Host())
		},
		InheritFlags: []string{options.Config, options.ImageRepository, options.CRISocket,
			options.NodeName, options.Patches, options.DryRun},
	}
}

// runKubeletStart computes all three files before it touches anything, so
// that a bad document or patch leaves the kubelet as it was; then it stops
// the kubelet, as kubeadm does, so that it does not start half-configured,
// writes the files and restarts it.
func runKubeletStart(ctx context.Context, d Data, h machine.Host) error {
	cfg := d.Cfg()
	sys, sysErr := h.InitSystem()
	hostname, err := kubelet.Hostname()
	if err != nil {
		klog.Warning(err)
	}
	flags := kubelet.FlagsEnv(kubelet.Flags(&cfg.NodeRegistration, hostname, false))

	cluster, warnings, err := kubelet.ClusterConfig(d.KubeletConfigDocument(), d.ClusterCfg())
	if err != nil {
		return err
	}
	patch, err := patcher(ctx, d)
	if err != nil {
		return err
	}
	node := kubelet.Node{
		CRISocket:       cfg.NodeRegistration.CRISocket,
		SystemdResolved: kubelet.ResolvedActive(ctx, sys),
		Patch:           patch,
	}
	config, nodeWarnings, err := kubelet.NodeConfig(cluster, node)
	if err != nil {
		return err
	}
	for _, w := range append(warnings, nodeWarnings...) {
		klog.Warning(w)
	}

	if !d.DryRun() {
		klog.V(1).Info("Stopping the kubelet")
		if err := initsystem.Stop(ctx, sys, kubelet.ServiceName); err != nil {
			klog.Warningf("[kubelet-start] unable to stop the kubelet service momentarily: %v", err)
		}
	}
	dir := d.KubeletDir()
	files := []struct {
		name, what string
		data       []byte
	}{
		{kubelet.FlagsFileName, "environment file with flags", flags},
		{kubelet.InstanceConfigFileName, "configuration", kubelet.InstanceConfig(node.CRISocket)},
		{kubelet.ConfigFileName, "configuration", config},
	}
	for _, f := range files {
		progress.Printf(ctx, "[kubelet-start] Writing kubelet %s to file %q\n", f.what, filepath.Join(dir, f.name))
		if err := kubelet.WriteFile(dir, f.name, f.data); err != nil {
			return err
		}
	}
	if d.DryRun() {
		return nil
	}
	progress.Printf(ctx, "[kubelet-start] Starting the kubelet\n")
	phases.RestartKubelet(ctx, "kubelet-start", dir, sys, sysErr)
	return nil
}
