package phases

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/kadm-project/kadm/internal/progress"
)

// ErrNotConfirmed is the answer to a confirmation prompt that was not yes.
var ErrNotConfirmed = errors.New("won't proceed; the user didn't answer (Y|y) in order to continue")

// Confirm asks "[action] question [y/N]: " and reads one line from in; "y" or "yes", in any
// case, goes on. Anything else, an empty input included, stops with an error that names
// the flag that skips the question, so that a command run without a terminal never waits
// and never acts.
func Confirm(ctx context.Context, in io.Reader, action, question, skipFlag string) error {
	progress.Printf(ctx, "[%s] %s [y/N]: ", action, question)
	sc := bufio.NewScanner(in)
	if !sc.Scan() {
		// End of input: end the prompt's line before the error.
		progress.Printf(ctx, "\n")
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read the answer from standard input: %w (pass --%s to %s without asking)", err, skipFlag, action)
	}
	switch strings.ToLower(strings.TrimSpace(sc.Text())) {
	case "y", "yes":
		return nil
	}
	return fmt.Errorf("%w (pass --%s to %s without asking)", ErrNotConfirmed, skipFlag, action)
}
