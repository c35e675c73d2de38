package preflight

import (
	"context"
	"fmt"
	"strings"
)

// InPath checks that an executable the kubelet or kadm needs is on PATH.
type InPath struct {
	Executable string
	// Mandatory makes a missing executable an error instead of a warning.
	Mandatory  bool
	Suggestion string
	Label      string
	LookPath   func(file string) (string, error)
}

func (c InPath) Name() string {
	if c.Label != "" {
		return c.Label
	}
	return "FileExisting-" + strings.ReplaceAll(c.Executable, "/", "-")
}

func (c InPath) Check(ctx context.Context) (warnings, errs []error) {
	if _, err := c.LookPath(c.Executable); err == nil {
		return nil, nil
	}
	msg := fmt.Sprintf("%s not found in system path", c.Executable)
	if c.Mandatory {
		return nil, []error{fmt.Errorf("%s", msg)}
	}
	if c.Suggestion != "" {
		msg += "\nSuggestion: " + c.Suggestion
	}
	return []error{fmt.Errorf("%s", msg)}, nil
}

// requiredTools are the executables kubeadm v1.37 requires on every node:
// losetup for block volumes and mount for in-tree volume plugins (both used
// by the kubelet), cp for copying etcd directories. conntrack is no longer
// required from Kubernetes 1.32 on, older than anything kadm deploys.
func requiredTools(lookPath func(string) (string, error)) []Check {
	var checks []Check
	for _, tool := range []string{"losetup", "mount", "cp"} {
		checks = append(checks, InPath{Executable: tool, Mandatory: true, LookPath: lookPath})
	}
	return checks
}
