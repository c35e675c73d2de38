package joinphases

import (
	"context"

	"github.com/kadm-project/kadm/app/workflow"
)

// workerDone is kubeadm's closing message for a worker, word for word:
// scripts and people look for it.
const workerDone = `
This node has joined the cluster:
* Certificate signing request was sent to apiserver and a response was received.
* The Kubelet was informed of the new secure connection details.

Run 'kubectl get nodes' on the control-plane to see this node join the cluster.

`

// dryRunDone replaces workerDone after --dry-run, which joined nothing.
const dryRunDone = "[dryrun] Finished dry-running successfully: nothing was written. Above is what the join would do.\n"

// Done prints the closing message of a full join, through the run's
// reporter so that --output=json carries it too. A control-plane join has
// its own message, which comes with its phases (issue #5).
func Done(ctx context.Context, d Data) error {
	msg := workerDone
	switch {
	case d.Cfg().ControlPlane != nil:
		return nil
	case d.DryRun():
		msg = dryRunDone
	}
	workflow.Printf(ctx, "%s", msg)
	return nil
}
