package preflight

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
)

// Minimums kubeadm v1.37 requires of a control-plane node.
const (
	ControlPlaneNumCPU = 2
	ControlPlaneMemMB  = 1700
)

// IsPrivilegedUser fails unless kadm runs as root: almost every step writes
// to system directories or binds privileged ports.
type IsPrivilegedUser struct {
	UID func() int
}

func (IsPrivilegedUser) Name() string { return "IsPrivilegedUser" }

func (c IsPrivilegedUser) Check(ctx context.Context) (warnings, errs []error) {
	if c.UID() != 0 {
		return nil, []error{errors.New("user is not running as root")}
	}
	return nil, nil
}

// NumCPU fails below the number of CPUs a control plane needs.
type NumCPU struct {
	Min   int
	Count func() int
}

func (NumCPU) Name() string { return "NumCPU" }

func (c NumCPU) Check(ctx context.Context) (warnings, errs []error) {
	if n := c.Count(); n < c.Min {
		return nil, []error{fmt.Errorf("the number of available CPUs %d is less than the required %d", n, c.Min)}
	}
	return nil, nil
}

// Mem fails below the memory a control plane needs. It reads MemTotal from
// /proc/meminfo, the total usable RAM that kubeadm gets from sysinfo(2).
type Mem struct {
	MinMB uint64
	Root  fs.FS
}

func (Mem) Name() string { return "Mem" }

func (c Mem) Check(ctx context.Context) (warnings, errs []error) {
	data, err := fs.ReadFile(c.Root, "proc/meminfo")
	if err != nil {
		return nil, []error{fmt.Errorf("failed to get system info: %w", err)}
	}
	kb, err := memTotalKB(data)
	if err != nil {
		return nil, []error{fmt.Errorf("failed to get system info: /proc/meminfo: %w", err)}
	}
	if mb := kb / 1024; mb < c.MinMB {
		return nil, []error{fmt.Errorf("the system RAM (%d MB) is less than the minimum %d MB", mb, c.MinMB)}
	}
	return nil, nil
}

func memTotalKB(meminfo []byte) (uint64, error) {
	s := bufio.NewScanner(bytes.NewReader(meminfo))
	for s.Scan() {
		rest, ok := strings.CutPrefix(s.Text(), "MemTotal:")
		if !ok {
			continue
		}
		fields := strings.Fields(rest)
		if len(fields) != 2 || fields[1] != "kB" {
			return 0, fmt.Errorf("unexpected MemTotal line %q", s.Text())
		}
		return strconv.ParseUint(fields[0], 10, 64)
	}
	return 0, errors.New("no MemTotal line")
}

// Swap warns when swap is on: the kubelet must then be configured for it.
type Swap struct {
	Root fs.FS
}

func (Swap) Name() string { return "Swap" }

func (c Swap) Check(ctx context.Context) (warnings, errs []error) {
	data, err := fs.ReadFile(c.Root, "proc/swaps")
	if err != nil {
		// Without /proc/swaps there is no swap to warn about.
		return nil, nil
	}
	// The first line is the header; any other is an active swap area.
	if len(strings.Split(strings.TrimSpace(string(data)), "\n")) > 1 {
		return []error{errors.New("swap is supported for cgroup v2 only. " +
			"The kubelet must be properly configured to use swap. Please refer to https://kubernetes.io/docs/concepts/architecture/nodes/#swap-memory, " +
			"or disable swap on the node")}, nil
	}
	return nil, nil
}
