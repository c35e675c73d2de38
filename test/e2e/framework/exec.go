package framework

import (
	"context"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
)

// Command returns a command that runs inside the host: in its network,
// mount, UTS and PID namespaces, from /, with a minimal environment whose
// PATH starts with the host's bin directory. Cancelling ctx kills nsenter;
// what it started inside dies with the host.
func (h *Host) Command(ctx context.Context, name string, args ...string) *exec.Cmd {
	argv := []string{"--target", strconv.Itoa(h.InitPID), "--mount", "--uts", "--net", "--pid", "--wd=/", "--", name}
	cmd := exec.CommandContext(ctx, "nsenter", append(argv, args...)...)
	cmd.Env = h.Env()
	return cmd
}

// Env is the environment commands in the host start with.
func (h *Host) Env() []string {
	return []string{"PATH=" + h.BinDir() + ":" + systemPath, "HOME=/root", "LANG=C.UTF-8"}
}

// Run runs a command inside the host and returns its combined output. The
// error carries the output too, so a failure explains itself.
func (h *Host) Run(ctx context.Context, name string, args ...string) (string, error) {
	out, err := h.Command(ctx, name, args...).CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("on host %s: %s %s: %w\n%s", h.Name, name, strings.Join(args, " "), err, out)
	}
	return string(out), nil
}
