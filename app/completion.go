package app

import (
	"github.com/spf13/cobra"
)

// newCompletionCmd is `completion`; name is the name kadm was invoked as,
// which the completion code completes.
func newCompletionCmd(s IOStreams, name string) *cobra.Command {
	return &cobra.Command{
		Use:   "completion SHELL",
		Short: "Output shell completion code for the specified shell (bash, zsh or fish)",
		Long: `Output shell completion code for the specified shell (bash, zsh or fish).
The shell code must be evaluated to provide interactive completion of ` + name + `
commands, for example by adding it to ~/.bashrc:

    source <(` + name + ` completion bash)`,
		ValidArgs: []string{"bash", "zsh", "fish"},
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef("shell not specified: use one of bash, zsh or fish")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			root := cmd.Root()
			switch args[0] {
			case "bash":
				return root.GenBashCompletionV2(s.Out, true)
			case "zsh":
				return root.GenZshCompletion(s.Out)
			case "fish":
				return root.GenFishCompletion(s.Out, true)
			}
			return usagef("unsupported shell %q: use one of bash, zsh or fish", args[0])
		},
	}
}
