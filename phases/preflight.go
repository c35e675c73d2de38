package phases

import (
	"context"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/internal/progress"
	"github.com/kadm-project/kadm/node/machine"
	"github.com/kadm-project/kadm/preflight"
)

// RunChecks runs checks and prints their warnings; the errors travel in the
// returned error, which matches preflight.ErrChecksFailed.
func RunChecks(ctx context.Context, checks []preflight.Check, ignore []string) error {
	r, err := preflight.Run(ctx, checks, ignore)
	for _, line := range r.WarningLines() {
		progress.Printf(ctx, "%s\n", line)
	}
	return err
}

// PullImages is preflight's last step on a control-plane node, as in
// kubeadm: the ImagePull check, which fills the container runtime with the
// node's images before the kubelet needs them, so that no pull happens
// inside the control-plane wait. A dry run only says so.
func PullImages(ctx context.Context, h machine.Host, program string, nr *config.NodeRegistrationOptions, cluster *config.ClusterConfiguration, dryRun bool, ignore []string) error {
	if dryRun {
		progress.Printf(ctx, "[preflight] Would pull the required images (like '%s config images pull')\n", program)
		return nil
	}
	progress.Printf(ctx, "[preflight] Pulling images required for setting up a Kubernetes cluster\n")
	progress.Printf(ctx, "[preflight] This might take a minute or two, depending on the speed of your internet connection\n")
	progress.Printf(ctx, "[preflight] You can also perform this action beforehand using '%s config images pull'\n", program)
	return RunChecks(ctx, preflight.ImagePullChecks(nr, cluster, h), ignore)
}
