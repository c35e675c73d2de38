package upgradephases

import (
	"context"
	"errors"
	"fmt"

	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kadm-project/kadm/cluster/bootstraptoken"
	"github.com/kadm-project/kadm/cluster/objects"
	"github.com/kadm-project/kadm/internal/progress"
	"github.com/kadm-project/kadm/phases/options"
	"github.com/kadm-project/kadm/phases/workflow"
)

func bootstrapTokenPhase() workflow.Phase[ApplyData] {
	return workflow.Phase[ApplyData]{
		Name:         "bootstrap-token",
		Short:        "Configures bootstrap token and cluster-info RBAC rules",
		Run:          runBootstrapToken,
		InheritFlags: []string{options.Config, options.Kubeconfig, options.DryRun},
	}
}

// runBootstrapToken brings the RBAC rules that let nodes join up to this release's, as
// init makes them; the tokens themselves and cluster-info stay as they are.
func runBootstrapToken(ctx context.Context, d ApplyData) error {
	if d.DryRun() {
		progress.Printf(ctx, "[dryrun] Would configure bootstrap token and cluster-info RBAC rules\n")
		return nil
	}
	progress.Printf(ctx, "[upgrade/bootstrap-token] Configuring bootstrap token and cluster-info RBAC rules\n")
	w, err := writer(ctx, d)
	if err != nil {
		return err
	}
	var errs []error
	for _, objs := range [][]runtime.Object{
		bootstraptoken.GetNodesRBAC(), bootstraptoken.PostCSRsRBAC(), bootstraptoken.AutoApproveRBAC(),
		bootstraptoken.CertificateRotationRBAC(), bootstraptoken.KubeletAPIRBAC(), bootstraptoken.ClusterInfoRBAC(),
	} {
		if err := objects.ApplyAll(ctx, w, objs...); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("configure the bootstrap token RBAC rules: %w", err)
	}
	return nil
}
