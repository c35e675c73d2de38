package app

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kadm-project/kadm/phases/options"

	"github.com/kadm-project/kadm/config"
	"github.com/kadm-project/kadm/internal/atomicfile"
)

func newConfigCmd(s IOStreams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Manage configuration for a kubeadm cluster persisted in a ConfigMap in the cluster",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newConfigPrintCmd(s), newConfigMigrateCmd(s), newConfigValidateCmd(s))
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
	for _, action := range []struct {
		name  string
		print func([]string) ([]byte, error)
	}{{"init", config.PrintInitDefaults}, {"join", config.PrintJoinDefaults}} {
		var components []string
		sub := &cobra.Command{
			Use:   action.name + "-defaults",
			Short: fmt.Sprintf("Print default %s configuration, that can be used for 'kubeadm %s'", action.name, action.name),
			Args:  cobra.NoArgs,
			RunE: func(*cobra.Command, []string) error {
				for _, c := range components {
					if c != "KubeletConfiguration" && c != "KubeProxyConfiguration" {
						return usagef("--component-configs: unknown component config %q: use KubeletConfiguration and/or KubeProxyConfiguration", c)
					}
				}
				b, err := action.print(components)
				if err != nil {
					return err
				}
				_, err = s.Out.Write(b)
				return err
			},
		}
		sub.Flags().StringSliceVar(&components, "component-configs", nil,
			"A comma-separated list for component config API objects to print the default values for. Available values: [KubeProxyConfiguration KubeletConfiguration]. If this flag is not set, no component configs will be printed.")
		cmd.AddCommand(sub)
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "reset-defaults",
		Short: "Print default reset configuration, that can be used for 'kubeadm reset'",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			b, err := config.PrintResetDefaults()
			if err != nil {
				return err
			}
			_, err = s.Out.Write(b)
			return err
		},
	})
	cmd.RunE = requireSubcommand
	return cmd
}

func newConfigMigrateCmd(s IOStreams) *cobra.Command {
	var oldPath, newPath string
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Read an older version of the kubeadm configuration API types from a file, and output the similar config object for the newer version",
		Long: `This command lets you convert configuration objects of older versions to the latest supported version,
locally in the CLI tool without ever touching anything in the cluster.
In this version of kadm, the following API versions are supported:
- kubeadm.k8s.io/v1beta3
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
				return fmt.Errorf("read --old-config: %w", err)
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
	return cmd
}

func newConfigValidateCmd(s IOStreams) *cobra.Command {
	var path string
	cmd := &cobra.Command{
		Use:   "validate",
		Short: "Read a file containing the kubeadm configuration API and report any validation problems",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			if path == "" {
				return usagef("--%s is required", options.Config)
			}
			docs, err := config.Load(path)
			if err != nil {
				return err
			}
			if err := validateDocuments(docs); err != nil {
				return err
			}
			fmt.Fprintln(s.Out, "ok")
			return nil
		},
	}
	cmd.Flags().StringVar(&path, options.Config, "", options.HelpConfig)
	return cmd
}

// validateDocuments validates what a file holds, the way init, join or
// reset would after defaulting, host defaults included: an Init or Cluster
// document as init sees it, a Join document as join does, a Reset document
// as reset does.
func validateDocuments(d *config.Documents) error {
	if d.Init == nil && d.Cluster == nil && d.Join == nil && d.Reset == nil {
		return usagef("%s holds no InitConfiguration, ClusterConfiguration, JoinConfiguration or ResetConfiguration", d.Source)
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
