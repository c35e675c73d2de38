package upgradephases

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"k8s.io/klog/v2"

	"github.com/kadm-project/kadm/cluster/clusterconfig"
	"github.com/kadm-project/kadm/internal/atomicfile"
	"github.com/kadm-project/kadm/internal/progress"
	"github.com/kadm-project/kadm/node/kubelet"
	"github.com/kadm-project/kadm/node/rollout"
	"github.com/kadm-project/kadm/phases"
	"github.com/kadm-project/kadm/phases/options"
	"github.com/kadm-project/kadm/phases/workflow"
)

func kubeletConfigPhase[D Data]() workflow.Phase[D] {
	return workflow.Phase[D]{
		Name:         "kubelet-config",
		Short:        "Upgrade the kubelet configuration for this node",
		Long:         "Upgrade the kubelet configuration for this node by downloading it from the kubelet-config ConfigMap stored in the cluster",
		Run:          func(ctx context.Context, d D) error { return runKubeletConfig(ctx, d) },
		InheritFlags: []string{options.Config, options.DryRun, options.Kubeconfig, options.Patches},
	}
}

// runKubeletConfig writes this node's config.yaml from the cluster's kubelet-config, with
// the --patches and this node's instance configuration, after backing up the old file. The
// kubelet reads it when it restarts with its new version.
func runKubeletConfig(ctx context.Context, d Data) error {
	client, err := d.Client(ctx)
	if err != nil {
		return err
	}
	doc, err := clusterconfig.ReadKubelet(ctx, client, apiPolicy(d), d.Program())
	if err != nil {
		return err
	}
	kc, err := kubelet.DecodeConfig(doc)
	if err != nil {
		return err
	}
	set, err := d.Patches(ctx)
	if err != nil {
		return err
	}
	sys, _ := d.Host().InitSystem()
	node := kubelet.Node{
		CRISocket:       d.Node().CRISocket,
		SystemdResolved: kubelet.ResolvedActive(ctx, sys),
		Patch:           phases.Patcher(ctx, set),
	}
	data, warnings, err := kubelet.NodeConfig(kc, node)
	if err != nil {
		return err
	}
	for _, w := range warnings {
		klog.Warning(w)
	}
	if d.DryRun() {
		return dryRunKubelet(ctx, d, data, node.CRISocket)
	}
	if err := backupKubeletConfig(ctx, d); err != nil {
		return err
	}
	instance := filepath.Join(d.KubeletDir(), kubelet.InstanceConfigFileName)
	if _, err := os.Stat(instance); errors.Is(err, fs.ErrNotExist) {
		progress.Printf(ctx, "[upgrade/kubelet-config] The kubelet instance configuration file %s was not found: writing one for the container runtime at %s\n", instance, node.CRISocket)
		if err := kubelet.WriteFile(d.KubeletDir(), kubelet.InstanceConfigFileName, kubelet.InstanceConfig(node.CRISocket)); err != nil {
			return fmt.Errorf("error writing kubelet instance configuration: %w", err)
		}
	}
	progress.Printf(ctx, "[upgrade/kubelet-config] Writing kubelet configuration to file %q\n", filepath.Join(d.KubeletDir(), kubelet.ConfigFileName))
	if err := kubelet.WriteFile(d.KubeletDir(), kubelet.ConfigFileName, data); err != nil {
		return fmt.Errorf("error writing kubelet configuration to file: %w", err)
	}
	progress.Printf(ctx, "[upgrade/kubelet-config] The kubelet configuration for this node was successfully upgraded!\n")
	return nil
}

// backupKubeletConfig copies config.yaml into a kubeadm-kubelet-config-<time> directory,
// from where it can be put back, with the settings it had.
func backupKubeletConfig(ctx context.Context, d Data) error {
	src := filepath.Join(d.KubeletDir(), kubelet.ConfigFileName)
	data, err := os.ReadFile(src)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("error backing up the kubelet config file: %w", err)
	}
	dir, err := rollout.NewBackupDir(d.KubernetesDir(), rollout.KubeletConfigBackup, time.Now())
	if err != nil {
		return err
	}
	dest := filepath.Join(dir, kubelet.ConfigFileName)
	progress.Printf(ctx, "[upgrade] Backing up kubelet config file to %s\n", dest)
	if err := atomicfile.Write(dest, data, 0o644); err != nil {
		return fmt.Errorf("error backing up the kubelet config file: %w", err)
	}
	return nil
}

func dryRunKubelet(ctx context.Context, d Data, data []byte, criSocket string) error {
	progress.Printf(ctx, "[dryrun] Would back up kubelet config file to %s\n",
		filepath.Join(d.KubernetesDir(), rollout.TmpDir, rollout.KubeletConfigBackup+"-<time>", kubelet.ConfigFileName))
	for _, f := range []struct {
		name string
		data []byte
	}{{kubelet.InstanceConfigFileName, kubelet.InstanceConfig(criSocket)}, {kubelet.ConfigFileName, data}} {
		if err := kubelet.WriteFile(d.DryRunDir(), f.name, f.data); err != nil {
			return err
		}
		progress.Printf(ctx, "[dryrun] Would write file %q with content:\n%s", filepath.Join(d.KubeletDir(), f.name), phases.Indent(f.data))
	}
	return nil
}
