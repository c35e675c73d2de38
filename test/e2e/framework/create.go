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

// hostServices are the services each host's init manages, started at boot in
// this order when enabled: the container runtime, then the kubelet, which exits
// until kadm has written its configuration and is restarted 1 s later, as its
// unit says.
var hostServices = []string{"containerd.service", "kubelet.service"}

// CreateHost sets up a new host and returns it once its init runs with the
// host's file system in place, its containerd answers and holds the lab's
// images. The caller tears it down with Destroy.
func (l *Lab) CreateHost(ctx context.Context, name string) (*Host, error) {
	return l.createHost(ctx, name, "")
}

// CreateStandinHost sets up a host whose kubelet is the program kubelet, a
// stand-in that serves /healthz and completes the TLS bootstrap, with no
// container runtime: a joining node for a benchmark that needs more nodes
// than real kubelets and containerds fit on the machine (each holds memory
// and the machine's inotify instances). kadm's preflight finds no runtime
// there, which the caller ignores.
func (l *Lab) CreateStandinHost(ctx context.Context, name, kubelet string) (*Host, error) {
	return l.createHost(ctx, name, kubelet)
}

func (l *Lab) createHost(ctx context.Context, name, kubelet string) (*Host, error) {
	if err := validHostName(name); err != nil {
		return nil, err
	}
	for what, p := range map[string]string{"the host init binary": l.Init, "the image archive": l.Images, "the unit directory": l.UnitDir} {
		if _, err := os.Stat(p); err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
	}
	if err := CheckComponents(l.BinDir, "kubelet", "crictl"); err != nil {
		return nil, err
	}
	h := &Host{Name: name, Namespace: l.namespace(name), Dir: filepath.Join(l.StateDir(), name), Cgroup: l.cgroupName(name), Kubelet: kubelet}
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
	err = l.prepare(ctx, h)
	if err == nil {
		err = l.start(ctx, h)
	}
	if err == nil && h.Kubelet == "" {
		err = l.loadImages(ctx, h)
	}
	if err != nil {
		// Destroy removes whatever part of the host exists.
		cleanupCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		return nil, fmt.Errorf("create host %s: %w", name, errors.Join(err, h.Destroy(cleanupCtx)))
	}
	return h, nil
}

// prepare makes the host's directories, network, cgroup, installed files and
// PATH.
func (l *Lab) prepare(ctx context.Context, h *Host) error {
	for _, d := range boundDirs {
		if err := os.MkdirAll(filepath.Join(h.Dir, d.dir), d.mode); err != nil {
			return err
		}
	}
	if l.ContainerdRoot != "" && h.Kubelet == "" {
		if err := linkTree(l.ContainerdRoot, filepath.Join(h.Dir, "var-lib-containerd")); err != nil {
			return fmt.Errorf("seed containerd's state: %w", err)
		}
	}
	for _, d := range overlayDirs {
		for _, p := range []string{overlayUpper(h, d), overlayWork(h, d)} {
			if err := os.MkdirAll(p, 0o755); err != nil {
				return err
			}
		}
	}
	s, err := l.addHostNetwork(ctx, h.Namespace)
	h.Link, h.IP, h.Gateway, h.Pods = s.link, s.addr, s.gateway, s.pods
	if err != nil {
		return err
	}
	if err := createCgroup(h.Cgroup); err != nil {
		return err
	}
	files, err := l.hostFiles(h)
	if err != nil {
		return err
	}
	if err := writeHostFiles(h, files); err != nil {
		return err
	}
	bin := h.BinDir()
	if err := os.MkdirAll(bin, 0o755); err != nil {
		return err
	}
	links := map[string]string{"systemctl": l.Init, "crictl": filepath.Join(l.BinDir, "crictl")}
	for name, target := range l.Programs {
		links[name] = target
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(bin, name)); err != nil {
			return err
		}
	}
	return nil
}

// initArgs is the command line of the host's PID 1.
func (l *Lab) initArgs(h *Host, ready string) ([]string, error) {
	machineNS, err := mountNamespaceInode("/proc/self/ns/mnt")
	if err != nil {
		return nil, err
	}
	args := []string{l.Init, "init", "--hostname=" + h.Name, "--state-dir=" + h.Dir,
		"--machine-mount-ns=" + strconv.FormatUint(machineNS, 10), "--ready-file=" + ready, "--log-dir=" + hostLogDir,
		// The host forwards between its Pods and the lab; the machine does not.
		"--sysctl=net.ipv4.ip_forward=1"}
	for _, d := range overlayDirs {
		args = append(args, "--overlay="+d+":"+overlayUpper(h, d)+":"+overlayWork(h, d))
	}
	for _, d := range tmpfsDirs {
		args = append(args, "--tmpfs="+d)
	}
	for _, d := range boundDirs {
		args = append(args, "--bind="+filepath.Join(h.Dir, d.dir)+":"+d.path)
	}
	for _, s := range kubeletSysctls {
		args = append(args, "--mask="+s.key+"="+s.value)
	}
	for _, u := range hostServices {
		if h.Kubelet != "" && u != "kubelet.service" {
			continue
		}
		args = append(args, "--unit="+u)
	}
	return args, nil
}

func mountNamespaceInode(path string) (uint64, error) {
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		return 0, err
	}
	return st.Ino, nil
}

// start runs the host's PID 1 and waits until it is set up.
func (l *Lab) start(ctx context.Context, h *Host) error {
	ready := filepath.Join(h.Dir, "ready")
	initArgs, err := l.initArgs(h, ready)
	if err != nil {
		return err
	}
	// nsenter joins the network namespace without remounting /sys (as `ip netns
	// exec` does), so the host keeps the machine's cgroup mounts.
	args := append([]string{"--net=/run/netns/" + h.Namespace, "--",
		"unshare", "--mount", "--uts", "--pid", "--fork", "--mount-proc", "--propagation", "private", "--"}, initArgs...)
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
	err = WaitFor(ctx, 30*time.Second, 20*time.Millisecond, "host "+h.Name+" to start", func(context.Context) error {
		select {
		case <-h.keeperDone:
			b, _ := os.ReadFile(filepath.Join(h.Dir, "hostinit.log"))
			return Permanent(fmt.Errorf("its PID 1 exited: %s", strings.TrimSpace(string(b))))
		default:
		}
		if _, err := os.Stat(ready); err != nil {
			return err
		}
		// nsenter became unshare, which forked the host's PID 1 and waits for it.
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

// loadImages waits until the host's containerd serves the CRI and, unless the
// host started from the lab's containerd root, imports the lab's images into
// the namespace the CRI uses, so that no image is ever pulled.
func (l *Lab) loadImages(ctx context.Context, h *Host) error {
	// containerd answers its own API before its CRI plugin has registered.
	err := WaitFor(ctx, 30*time.Second, 50*time.Millisecond, "containerd's CRI on "+h.Name, func(ctx context.Context) error {
		_, err := h.Run(ctx, "crictl", "--timeout=2s", "version")
		return err
	})
	if err != nil {
		log, _ := os.ReadFile(h.LogPath("containerd"))
		return fmt.Errorf("%w\ncontainerd's log:\n%s", err, tail(log, 30))
	}
	if l.ContainerdRoot != "" {
		return nil
	}
	_, err = h.Run(ctx, "ctr", "--namespace=k8s.io", "images", "import", l.Images)
	return err
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
