package workflow

import (
	"context"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Phase is one step of a workflow. A phase with children runs its own Run
// first (when set) and then its children, depth-first in declaration order.
type Phase[D any] struct {
	// Name is the phase's name as users type it in --skip-phases and after
	// `phase`; it must not contain spaces or slashes.
	Name string
	// ArgsUsage is appended to Name in the phase command's usage line, e.g.
	// "[api-server-endpoint]".
	ArgsUsage string
	Aliases   []string
	Short     string
	Long      string
	Example   string
	// Hidden phases run as part of the workflow but are left out of the
	// phase list in --help and of the generated phase commands' listing.
	Hidden bool
	// FormerPaths are the paths the phase had in older kubeadm releases,
	// e.g. "control-plane-join/etcd" for etcd-join. --skip-phases,
	// skipPhases and `phase` accept them as names of this phase; help
	// lists none of them.
	FormerPaths []string
	// Phases are the children.
	Phases []Phase[D]
	// WithAll adds an "all" phase command that runs every child in order,
	// as kubeadm offers for phases such as certs and kubeconfig.
	WithAll bool
	// AllShort is the "all" command's description; the phase's Short when empty.
	AllShort string
	// Run does the phase's work. Nil for pure grouping phases.
	Run func(ctx context.Context, data D) error
	// Prepare, when set, is called as a run starts, before its first phase,
	// for every phase the run includes and does not skip: it starts work
	// ahead of need, such as generating the keys the phase will sign with,
	// so that it overlaps the phases before. It cannot fail and reports
	// nothing; RunIf is not asked yet, so it must do nothing that would
	// matter if the phase turned out not to apply.
	Prepare func(ctx context.Context, data D)
	// RunIf decides at run time whether the phase (and its children) apply,
	// e.g. control-plane phases on a worker join. Nil means always.
	RunIf func(data D) (bool, error)
	// InheritFlags names the workflow command's flags (or additional flags)
	// that the phase command exposes; a phase command has only these, its
	// LocalFlags and the global flags. A phase with children has no command
	// of its own, only its children's and "all", which has the flags of the
	// whole subtree, this phase's included.
	InheritFlags []string
	// LocalFlags are flags only this phase command has.
	LocalFlags *pflag.FlagSet
	// ArgsValidator checks the phase command's positional arguments;
	// nil means none are accepted.
	ArgsValidator cobra.PositionalArgs
}
