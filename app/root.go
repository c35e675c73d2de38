package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/spf13/pflag"

	"github.com/kadm-project/kadm/internal/httplog"
	"github.com/kadm-project/kadm/phases/options"
)

// rootOptions are the flags every command has.
type rootOptions struct {
	rootfs string
}

// Run runs the command line argv (argv[0] is the name kadm was invoked as:
// "kubeadm" when it is linked under that name, and the join commands it
// prints use that name). It prints any error to s.ErrOut; ExitCode maps the
// returned error to an exit code.
func Run(ctx context.Context, argv []string, s IOStreams) error {
	name := "kadm"
	if len(argv) > 0 && argv[0] != "" {
		name = filepath.Base(argv[0])
	}
	root := newRootCmd(name, s)
	root.SetArgs(argv[1:])
	cmd, err := root.ExecuteContextC(s.withProgress(ctx))
	if err != nil {
		printError(s.ErrOut, cmd, err)
	}
	return err
}

func newRootCmd(name string, s IOStreams) *cobra.Command {
	opts := &rootOptions{}
	root := &cobra.Command{
		Use:   name,
		Short: name + ": easily bootstrap a secure Kubernetes cluster",
		Long: name + ` bootstraps Kubernetes nodes: "` + name + ` init" makes the first control-plane
node and "` + name + ` join" adds workers and further control-plane nodes. It is
compatible with kubeadm's commands, flags, configuration files and on-disk layout.

Example usage:

    ┌──────────────────────────────────────────────────────────┐
    │ On the first machine:                                    │
    ├──────────────────────────────────────────────────────────┤
    │ control-plane# ` + fmt.Sprintf("%-42s", name+" init") + `│
    └──────────────────────────────────────────────────────────┘

    ┌──────────────────────────────────────────────────────────┐
    │ On the second machine:                                   │
    ├──────────────────────────────────────────────────────────┤
    │ worker# ` + fmt.Sprintf("%-49s", name+" join <arguments-returned-from-init>") + `│
    └──────────────────────────────────────────────────────────┘

    You can then repeat the second step on as many other machines as you like.
`,
		SilenceErrors:     true,
		SilenceUsage:      true,
		CompletionOptions: cobra.CompletionOptions{DisableDefaultCmd: true},
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return chroot(opts.rootfs)
		},
	}
	root.SetIn(s.In)
	root.SetOut(s.Out)
	root.SetErr(s.ErrOut)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &usageError{err} })

	root.PersistentFlags().StringVar(&opts.rootfs, options.Rootfs, "",
		"The path to the 'real' host root filesystem. This will cause kubeadm to chroot into the provided path.")
	for _, f := range logFlags() {
		root.PersistentFlags().AddFlag(f)
	}

	root.AddCommand(
		newCertsCmd(s),
		newCompletionCmd(s, name),
		newConfigCmd(s),
		newInitCmd(s, newInitOptions(name)),
		newJoinCmd(s, newJoinOptions()),
		newKubeconfigCmd(s),
		newResetCmd(s, newResetOptions()),
		newTokenCmd(s),
		newUpgradeCmd(s),
		newVersionCmd(s),
	)
	markRunErrors(root)
	nameExamples(root, name)
	return root
}

// nameExamples makes the commands of every example in the help start with
// the name kadm was invoked as: they are written as kubeadm's.
func nameExamples(c *cobra.Command, name string) {
	if c.Example != "" {
		lines := strings.Split(c.Example, "\n")
		for i, line := range lines {
			indent := line[:len(line)-len(strings.TrimLeft(line, " \t"))]
			if rest, ok := strings.CutPrefix(line[len(indent):], "kubeadm "); ok {
				lines[i] = indent + name + " " + rest
			}
		}
		c.Example = strings.Join(lines, "\n")
	}
	for _, sub := range c.Commands() {
		nameExamples(sub, name)
	}
}

// logFlags are kubeadm's -v (and --v) and --vmodule, with klog's type names
// so that help reads as kubeadm's; klog's other flags stay out of kadm's
// interface. Both go through httplog, which never lets klog, and so
// client-go's request dumps with their bodies, log above httplog.LibraryMax.
func logFlags() []*pflag.Flag {
	return []*pflag.Flag{
		{Name: "v", Shorthand: "v", Usage: "number for the log level verbosity", Value: new(verbosity), DefValue: "0"},
		{Name: "vmodule", Usage: "comma-separated list of pattern=N settings for file-filtered logging", Value: new(vmodule)},
	}
}

// verbosity is -v's value.
type verbosity int

func (v *verbosity) String() string { return strconv.Itoa(int(*v)) }
func (v *verbosity) Type() string   { return "Level" }
func (v *verbosity) Set(s string) error {
	n, err := strconv.ParseInt(s, 10, 32)
	if err != nil || n < 0 {
		return fmt.Errorf("%q is not a log level (0, 1, 2, ...)", s)
	}
	*v = verbosity(n)
	return httplog.SetVerbosity(int(n))
}

// vmodule is --vmodule's value, as httplog caps it.
type vmodule string

func (m *vmodule) String() string { return string(*m) }
func (m *vmodule) Type() string   { return "moduleSpec" }
func (m *vmodule) Set(s string) error {
	capped, err := httplog.SetVModule(s)
	*m = vmodule(capped)
	return err
}

// chroot makes every later file access relative to rootfs, as kubeadm's
// --rootfs does, so that kadm can run from a container against its host.
func chroot(rootfs string) error {
	if rootfs == "" {
		return nil
	}
	abs, err := filepath.Abs(rootfs)
	if err != nil {
		return usagef("--%s %q: %v", options.Rootfs, rootfs, err)
	}
	if fi, err := os.Stat(abs); err != nil || !fi.IsDir() {
		return usagef("--%s %q is not a directory", options.Rootfs, rootfs)
	}
	if err := syscall.Chroot(abs); err != nil {
		return &runError{fmt.Errorf("chroot into %s: %w (kadm must run as root to use --%s)", abs, err, options.Rootfs)}
	}
	if err := os.Chdir("/"); err != nil {
		return &runError{fmt.Errorf("chdir to / after chroot into %s: %w", abs, err)}
	}
	return nil
}
