package framework

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// CreateHost sets up a new host and returns it once its PID 1 runs with the
// private directories mounted. The caller tears it down with Destroy.
func (l *Lab) CreateHost(ctx context.Context, name string) (*Host, error) {
	if err := validHostName(name); err != nil {
		return nil, err
	}
	if _, err := os.Stat(l.StandinBinary); err != nil {
		return nil, fmt.Errorf("the kubelet stand-in binary: %w", err)
	}
	h := &Host{Name: name, Namespace: l.namespace(name), Dir: filepath.Join(l.StateDir(), name)}
	existing, err := l.Namespaces(ctx)
	if err != nil {
		return nil, err
	}
	for _, ns := range existing {
		if ns == h.Namespace {
			return nil, fmt.Errorf("host %s exists already (network namespace %s): remove it first", name, ns)
		}
	}
	if err := os.RemoveAll(h.Dir); err != nil {
		return nil, err
	}
	err = l.prepareDirs(h)
	if err == nil {
		err = l.start(ctx, h)
	}
	if err != nil {
		// Destroy removes whatever part of the host exists.
		cleanupCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		return nil, fmt.Errorf("create host %s: %w", name, errors.Join(err, h.Destroy(cleanupCtx)))
	}
	return h, nil
}

func (l *Lab) prepareDirs(h *Host) error {
	for _, d := range privateDirs {
		// The mount point must exist on the test machine; the content the
		// host sees comes from its own directory.
		if err := os.MkdirAll(d.path, d.mode); err != nil {
			return fmt.Errorf("mount point %s: %w", d.path, err)
		}
		if err := os.MkdirAll(filepath.Join(h.Dir, d.dir), d.mode); err != nil {
			return err
		}
	}
	bin := h.BinDir()
	if err := os.MkdirAll(bin, 0o755); err != nil {
		return err
	}
	scripts := map[string]string{
		"kubelet": fmt.Sprintf("#!/bin/sh\nexec %s kubelet --components-dir=%s --state-dir=%s \"$@\"\n",
			shellQuote(l.StandinBinary), shellQuote(l.ComponentsDir), standinStateDir),
		"systemctl": fmt.Sprintf("#!/bin/sh\nexec %s systemctl --state-dir=%s \"$@\"\n",
			shellQuote(l.StandinBinary), standinStateDir),
	}
	for name, body := range scripts {
		if err := os.WriteFile(filepath.Join(bin, name), []byte(body), 0o755); err != nil {
			return err
		}
	}
	for name, target := range l.Programs {
		if err := os.Symlink(target, filepath.Join(bin, name)); err != nil {
			return err
		}
	}
	return nil
}

// start creates the network and PID 1 of the host.
func (l *Lab) start(ctx context.Context, h *Host) error {
	s, err := l.addHostNetwork(ctx, h.Namespace)
	h.Veth, h.IP, h.Gateway = s.veth, s.addr, s.gateway
	h.RulePref, h.Network = l.rulePref(), l.network()
	if err != nil {
		return err
	}
	for _, f := range privateFiles {
		if err := os.WriteFile(filepath.Join(h.Dir, f.file), []byte(f.content(h)), 0o644); err != nil {
			return err
		}
	}
	ready := filepath.Join(h.Dir, "ready")
	// nsenter joins the network namespace without remounting /sys (as
	// `ip netns exec` does), so the host keeps the machine's cgroup mounts.
	args := []string{"--net=/run/netns/" + h.Namespace, "--",
		"unshare", "--mount", "--uts", "--pid", "--fork", "--mount-proc", "--propagation", "private", "--",
		l.StandinBinary, "hostinit", "--hostname", h.Name, "--ready-file", ready,
		"--sysctl", "net.ipv4.ip_forward=1", "--listen", criSocket}
	for _, d := range privateDirs {
		args = append(args, "--bind", filepath.Join(h.Dir, d.dir)+":"+d.path)
	}
	for _, f := range privateFiles {
		args = append(args, "--bind", filepath.Join(h.Dir, f.file)+":"+f.path)
	}
	logf, err := os.Create(filepath.Join(h.Dir, "hostinit.log"))
	if err != nil {
		return err
	}
	defer logf.Close()
	h.keeper = exec.Command("nsenter", args...)
	h.keeper.Stdout, h.keeper.Stderr = logf, logf
	// Its own session: an interrupt of the test run does not reach the host.
	h.keeper.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := h.keeper.Start(); err != nil {
		return err
	}
	h.keeperDone = make(chan struct{})
	go func() {
		_ = h.keeper.Wait()
		close(h.keeperDone)
	}()
	err = WaitFor(ctx, 20*time.Second, 20*time.Millisecond, "host "+h.Name+" to start", func(context.Context) error {
		select {
		case <-h.keeperDone:
			b, _ := os.ReadFile(filepath.Join(h.Dir, "hostinit.log"))
			return Permanent(fmt.Errorf("its PID 1 exited: %s", strings.TrimSpace(string(b))))
		default:
		}
		if _, err := os.Stat(ready); err != nil {
			return err
		}
		// nsenter became unshare, which forked the host's PID 1 and waits
		// for it.
		pid := h.keeper.Process.Pid
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", pid, pid))
		if err != nil {
			return err
		}
		children := strings.Fields(string(b))
		if len(children) != 1 {
			return fmt.Errorf("unshare (pid %d) has children %q", pid, children)
		}
		h.InitPID, err = strconv.Atoi(children[0])
		return err
	})
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(h, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(h.Dir, "host.json"), b, 0o644)
}

// Attach returns a host that another process created, from its record.
func (l *Lab) Attach(name string) (*Host, error) {
	if err := validHostName(name); err != nil {
		return nil, err
	}
	b, err := os.ReadFile(filepath.Join(l.StateDir(), name, "host.json"))
	if err != nil {
		return nil, fmt.Errorf("host %s of lab %s: %w", name, l.Name, err)
	}
	h := &Host{}
	if err := json.Unmarshal(b, h); err != nil {
		return nil, fmt.Errorf("host %s of lab %s: %w", name, l.Name, err)
	}
	if !h.initAlive() {
		return nil, fmt.Errorf("host %s of lab %s is not running (PID 1 %d is gone)", name, l.Name, h.InitPID)
	}
	return h, nil
}
