package joinphases

import (
	"context"
	"path/filepath"

	"github.com/kadm-project/kadm/internal/progress"
	"github.com/kadm-project/kadm/kubeconfig"
)

// workerDone is kubeadm's closing message for a worker, word for word:
// scripts and people look for it.
const workerDone = `
This node has joined the cluster:
* Certificate signing request was sent to apiserver and a response was received.
* The Kubelet was informed of the new secure connection details.

Run 'kubectl get nodes' on the control-plane to see this node join the cluster.

`

// controlPlaneDone is kubeadm's closing message for a control-plane node;
// the two verbs fill in the etcd line and admin.conf's path.
const controlPlaneDone = `This node has joined the cluster and a new control plane instance was created:

* Certificate signing request was sent to apiserver and approval was received.
* The Kubelet was informed of the new secure connection details.
* Control plane label and taint were applied to the new node.
* The Kubernetes control plane instances scaled up.
%s
To start administering your cluster from this node, you need to run the following as a regular user:

	mkdir -p $HOME/.kube
	sudo cp -i %s $HOME/.kube/config
	sudo chown $(id -u):$(id -g) $HOME/.kube/config

Run 'kubectl get nodes' to see this node join the cluster.

`

// dryRunDone replaces the messages above after --dry-run, which joined nothing.
const dryRunDone = "[dryrun] Finished dry-running successfully: nothing was written. Above is what the join would do.\n"

// Done prints the closing message of a full join, through the run's
// reporter so that --output=json carries it too.
func Done(ctx context.Context, d Data) error {
	switch {
	case d.DryRun():
		progress.Printf(ctx, "%s", dryRunDone)
	case d.Cfg().ControlPlane != nil:
		etcdLine := ""
		if state, err := d.InitCfg(ctx); err == nil && state.Cluster.Etcd.External == nil {
			etcdLine = "* A new etcd member was added to the local/stacked etcd cluster.\n"
		}
		progress.Printf(ctx, controlPlaneDone, etcdLine, filepath.Join(d.KubeConfigDir(), kubeconfig.AdminFile))
	default:
		progress.Printf(ctx, "%s", workerDone)
	}
	return nil
}
