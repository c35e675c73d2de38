package resetphases

import (
	"context"
	"os"

	"github.com/kadm-project/kadm/internal/progress"
	"github.com/kadm-project/kadm/phases/options"
	"github.com/kadm-project/kadm/phases/workflow"
)

// Phases is the reset workflow in kubeadm v1.37's order.
func Phases() []workflow.Phase[Data] {
	return []workflow.Phase[Data]{
		{
			Name:         "preflight",
			Aliases:      []string{"pre-flight"},
			Short:        "Run reset pre-flight checks",
			Long:         "Run pre-flight checks for kubeadm reset.",
			Run:          runPreflight,
			InheritFlags: []string{options.IgnorePreflightErrors, options.Force, options.DryRun},
		},
		{
			Name:         "remove-etcd-member",
			Short:        "Remove a local etcd member.",
			Long:         "Remove a local etcd member for a control plane node.",
			Run:          runRemoveEtcdMember,
			InheritFlags: []string{options.Kubeconfig, options.CertificatesDir, options.DryRun},
		},
		{
			Name:         "cleanup-node",
			Aliases:      []string{"cleanupnode"},
			Short:        "Run cleanup node.",
			Run:          runCleanupNode,
			InheritFlags: []string{options.CertificatesDir, options.CRISocket, options.CleanupTmpDir, options.Kubeconfig, options.DryRun},
		},
	}
}

// Done prints what reset leaves for the user to clean.
func Done(ctx context.Context, d Data) error {
	progress.Printf(ctx, `
The reset process does not clean up:
  - CNI plugin configuration, in /etc/cni/net.d;
  - network filtering rules (iptables, nftables, IPVS tables) made by kube-proxy or the CNI plugin;
  - kubeconfig files outside %s, such as $HOME/.kube/config;
  - this node's Node object: delete it with 'kubectl delete node <name>' from a machine with cluster access.

For information on how to perform this cleanup manually, please see:
    https://k8s.io/docs/reference/setup-tools/kubeadm/kubeadm-reset/

`, d.KubernetesDir())
	return nil
}

// exists is true when path names anything, a dangling link included.
func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}
