package app

import "github.com/spf13/cobra"

// newUpgradeCmd makes `upgrade` and its commands: plan and apply on the first
// control-plane node, node on every other node, diff to see what apply changes.
func newUpgradeCmd(s IOStreams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "upgrade",
		Short: "Upgrade your cluster smoothly to a newer version with this command",
		Args:  cobra.NoArgs,
		RunE:  requireSubcommand,
	}
	cmd.AddCommand(
		newUpgradeApplyCmd(s, newApplyOptions()),
		newUpgradeDiffCmd(s, newDiffOptions()),
		newUpgradeNodeCmd(s, newNodeOptions()),
		newUpgradePlanCmd(s, newPlanOptions()),
	)
	return cmd
}
