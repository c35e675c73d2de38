package app

import "github.com/spf13/cobra"

// newUpgradeCmd makes `upgrade` and its commands: plan and apply on the first
// control-plane node, node on every other node, diff to see what apply changes.
func newUpgradeCmd(s IOStreams) *cobra.Command {
	return newUpgradeCmdWith(s, nil, nil, nil, nil)
}

// newUpgradeCmdWith is newUpgradeCmd with the options tests give; nil takes the defaults.
func newUpgradeCmdWith(s IOStreams, apply *applyOptions, diff *diffOptions, node *nodeOptions, plan *planOptions) *cobra.Command {
	if apply == nil {
		apply = newApplyOptions()
	}
	if diff == nil {
		diff = newDiffOptions()
	}
	if node == nil {
		node = newNodeOptions()
	}
	if plan == nil {
		plan = newPlanOptions()
	}
	cmd := &cobra.Command{
		Use:   "upgrade",
		Short: "Upgrade your cluster smoothly to a newer version with this command",
		Args:  cobra.NoArgs,
		RunE:  requireSubcommand,
	}
	cmd.AddCommand(
		newUpgradeApplyCmd(s, apply),
		newUpgradeDiffCmd(s, diff),
		newUpgradeNodeCmd(s, node),
		newUpgradePlanCmd(s, plan),
	)
	return cmd
}
