package app

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/internal/atomicfile"
	initphases "github.com/kadm-project/kadm/phases/init"
	joinphases "github.com/kadm-project/kadm/phases/join"
	"github.com/kadm-project/kadm/phases/options"
	resetphases "github.com/kadm-project/kadm/phases/reset"
	upgradephases "github.com/kadm-project/kadm/phases/upgrade"
	"github.com/kadm-project/kadm/phases/workflow"
)

func newConfigCmd(s IOStreams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Manage configuration for a kubeadm cluster persisted in a ConfigMap in the cluster",
		Args:  cobra.NoArgs,
	}
	// kubeadm's config takes --kubeconfig although no subcommand of v1.37
	// talks to the cluster; scripts that pass it keep working.
	cmd.PersistentFlags().String(options.Kubeconfig, config.DefaultAdminConf, options.HelpKubeconfig)
	cmd.AddCommand(newConfigImagesCmd(s), newConfigPrintCmd(s), newConfigMigrateCmd(s), newConfigValidateCmd(s))
	cmd.RunE = requireSubcommand
	return cmd
}

func newConfigPrintCmd(s IOStreams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "print",
		Short: "Print configuration",
		Long:  "This command prints configurations for subcommands provided. For details, see: https://pkg.go.dev/k8s.io/kubernetes/cmd/kubeadm/app/apis/kubeadm#section-directories",
		Args:  cobra.NoArgs,
	}
	var components []string
	initDefaults := printDefaultsCmd(s, "init", func() ([]byte, error) {
		for _, c := range components {
			if c != config.KindKubeletConfiguration && c != config.KindKubeProxyConfiguration {
				return nil, usagef("--component-configs: unknown component config %q: use %s and/or %s", c, config.KindKubeletConfiguration, config.KindKubeProxyConfiguration)
			}
		}
		return config.PrintInitDefaults(components)
	})
	initDefaults.Flags().StringSliceVar(&components, "component-configs", nil,
		"A comma-separated list for component config API objects to print the default values for. Available values: [KubeProxyConfiguration KubeletConfiguration]. If this flag is not set, no component configs will be printed.")
	cmd.AddCommand(initDefaults, printDefaultsCmd(s, "join", config.PrintJoinDefaults), printDefaultsCmd(s, "reset", config.PrintResetDefaults), printDefaultsCmd(s, "upgrade", config.PrintUpgradeDefaults))
	cmd.RunE = requireSubcommand
	return cmd
}

// printDefaultsCmd is `config print <action>-defaults`, which writes what
// defaults returns.
func printDefaultsCmd(s IOStreams, action string, defaults func() ([]byte, error)) *cobra.Command {
	return &cobra.Command{
		Use:   action + "-defaults",
		Short: fmt.Sprintf("Print default %s configuration, that can be used for 'kubeadm %s'", action, action),
		Long:  printDefaultsLong(action),
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			b, err := defaults()
			if err != nil {
				return err
			}
			_, err = s.Out.Write(b)
			return err
		},
	}
}

// printDefaultsLong is kubeadm's description of a `config print <action>-defaults` command.
func printDefaultsLong(action string) string {
	return fmt.Sprintf(`
This command prints objects such as the default %s configuration that is used for 'kubeadm %s'.

Note that sensitive values like the Bootstrap Token fields are replaced with placeholder values like %q in order to pass validation but
not perform the real computation for creating a token.
`, action, action, config.PlaceholderToken)
}

func newConfigMigrateCmd(s IOStreams) *cobra.Command {
	var oldPath, newPath string
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Read an older version of the kubeadm configuration API types from a file, and output the similar config object for the newer version",
		Long: `This command lets you convert configuration objects of older versions to the latest supported version,
locally in the CLI tool without ever touching anything in the cluster.
In this version of kadm, the following API versions are supported:
- kubeadm.k8s.io/v1beta3 (only here: kubeadm v1.37 no longer reads it)
- kubeadm.k8s.io/v1beta4

The kubeadm.k8s.io/v1beta4 documents of the result are written to --new-config, or to stdout
when it is not set. The new file is written whole or not at all.`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			if oldPath == "" {
				return usagef("--old-config is required")
			}
			old, err := os.ReadFile(oldPath)
			if err != nil {
				return usagef("--old-config %s: %v", oldPath, err)
			}
			b, err := config.Migrate(oldPath, old)
			if err != nil {
				return err
			}
			if newPath == "" {
				_, err = s.Out.Write(b)
				return err
			}
			return atomicfile.Write(newPath, b, 0o600)
		},
	}
	cmd.Flags().StringVar(&oldPath, "old-config", "", "Path to the kubeadm config file that is using an old API version and should be converted. This flag is mandatory.")
	cmd.Flags().StringVar(&newPath, "new-config", "", "Path to the resulting equivalent kubeadm config file using the new API version. Optional, if not specified output will be sent to STDOUT.")
	addAllowExperimentalFlag(cmd, "Allow migration to experimental, unreleased APIs.")
	return cmd
}

// addAllowExperimentalFlag adds kubeadm's --allow-experimental-api. The one
// experimental API of kubeadm v1.37, kubeadm.k8s.io/v1, is not implemented
// by kadm, so the flag admits nothing more; a v1 document is refused with
// or without it, saying so.
func addAllowExperimentalFlag(cmd *cobra.Command, usage string) {
	cmd.Flags().Bool(options.AllowExperimentalAPI, false, usage)
}

func newConfigValidateCmd(s IOStreams) *cobra.Command {
	var path string
	cmd := &cobra.Command{
		Use:   "validate",
		Short: "Read a file containing the kubeadm configuration API and report any validation problems",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if path == "" {
				return usagef("--%s is required", options.Config)
			}
			docs, err := loadConfig(cmd.Root().Name(), path)
			if err != nil {
				return err
			}
			if err := validateDocuments(docs); err != nil {
				return err
			}
			if err := validateSkipPhases(docs); err != nil {
				return err
			}
			fmt.Fprintln(s.Out, "ok")
			return nil
		},
	}
	cmd.Flags().StringVar(&path, options.Config, "", options.HelpConfig)
	// kubeadm v1.37 deprecates no API version, so --allow-deprecated-api
	// admits nothing more, in kubeadm as in kadm.
	cmd.Flags().Bool(options.AllowDeprecatedAPI, false, "Allow validation of deprecated APIs.")
	addAllowExperimentalFlag(cmd, "Allow validation of experimental, unreleased APIs.")
	return cmd
}

// validateSkipPhases checks the skipPhases of each document against the
// phases of its workflow, as init, join, reset and upgrade do before they run.
func validateSkipPhases(d *config.Documents) error {
	var errs []error
	check := func(field string, skip []string, validate func([]string) error) {
		if err := validate(skip); err != nil {
			errs = append(errs, fmt.Errorf("%s: %s: %w", d.Source, field, err))
		}
	}
	if d.Init != nil {
		w := &workflow.Workflow[initphases.Data]{Phases: initphases.Phases(new(bool))}
		check(config.KindInitConfiguration+" skipPhases", d.Init.SkipPhases, w.ValidateNames)
	}
	if d.Join != nil {
		w := &workflow.Workflow[joinphases.Data]{Phases: joinphases.Phases()}
		check(config.KindJoinConfiguration+" skipPhases", d.Join.SkipPhases, w.ValidateNames)
	}
	if d.Reset != nil {
		w := &workflow.Workflow[resetphases.Data]{Phases: resetphases.Phases()}
		check(config.KindResetConfiguration+" skipPhases", d.Reset.SkipPhases, w.ValidateNames)
	}
	if d.Upgrade != nil {
		apply := &workflow.Workflow[upgradephases.ApplyData]{Phases: upgradephases.ApplyPhases()}
		check(config.KindUpgradeConfiguration+" apply.skipPhases", d.Upgrade.Apply.SkipPhases, apply.ValidateNames)
		node := &workflow.Workflow[upgradephases.Data]{Phases: upgradephases.NodePhases()}
		check(config.KindUpgradeConfiguration+" node.skipPhases", d.Upgrade.Node.SkipPhases, node.ValidateNames)
	}
	return errors.Join(errs...)
}

// validateDocuments validates what a file holds, the way init, join, reset
// or upgrade would after defaulting, host defaults included: an Init or
// Cluster document as init sees it, a Join document as join does, a Reset
// document as reset does, an Upgrade document as the upgrade commands do.
func validateDocuments(d *config.Documents) error {
	if d.Init == nil && d.Cluster == nil && d.Join == nil && d.Reset == nil && d.Upgrade == nil {
		return usagef("%s holds no InitConfiguration, ClusterConfiguration, JoinConfiguration, ResetConfiguration or UpgradeConfiguration", d.Source)
	}
	if d.Upgrade != nil {
		config.SetUpgradeDefaults(d.Upgrade)
		if err := config.ValidateUpgrade(d.Upgrade); err != nil {
			return err
		}
	}
	if d.Reset != nil {
		config.SetResetDefaults(d.Reset)
		if err := config.ValidateReset(d.Reset); err != nil {
			return err
		}
	}
	if d.Init != nil || d.Cluster != nil {
		init, cluster := d.Init, d.Cluster
		if init == nil {
			init = config.DefaultInitConfiguration()
		}
		if cluster == nil {
			cluster = config.DefaultClusterConfiguration()
		}
		if err := initHostDefaults(init); err != nil {
			return err
		}
		config.SetInitDefaults(init)
		config.SetClusterDefaults(cluster)
		if err := config.ValidateInit(init, cluster); err != nil {
			return err
		}
	}
	if d.Join != nil {
		if err := joinHostDefaults(d.Join); err != nil {
			return err
		}
		config.SetJoinDefaults(d.Join)
		return config.ValidateJoin(d.Join)
	}
	return nil
}

// requireSubcommand is the RunE of commands that only group others: naming
// just the group is a usage error that lists the choices.
func requireSubcommand(cmd *cobra.Command, _ []string) error {
	var names []string
	for _, sub := range cmd.Commands() {
		if sub.IsAvailableCommand() {
			names = append(names, sub.Name())
		}
	}
	return usagef("%q needs a subcommand: one of %s", cmd.CommandPath(), strings.Join(names, ", "))
}
