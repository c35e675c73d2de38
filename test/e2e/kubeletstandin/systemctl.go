package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// The flags the kubelet unit and kubeadm's drop-in (10-kubeadm.conf) pass
// before the variables of the environment files.
var kubeletUnitArgs = []string{
	"--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf",
	"--kubeconfig=/etc/kubernetes/kubelet.conf",
	"--config=/var/lib/kubelet/config.yaml",
}

// The environment files of kubeadm's drop-in, each with the variable the
// unit's ExecStart expands; a missing file is skipped, as systemd does for
// EnvironmentFile=-PATH.
var kubeletEnvFiles = []struct{ path, variable string }{
	{"/var/lib/kubelet/kubeadm-flags.env", "KUBELET_KUBEADM_ARGS"},
	{"/etc/default/kubelet", "KUBELET_EXTRA_ARGS"},
}

// Exit codes systemctl uses for the answers callers branch on.
const (
	exitFailed   = 1
	exitInactive = 3
	exitNoUnit   = 4
)

// runSystemctl answers the systemctl commands kadm (like kubeadm) sends about
// the kubelet: daemon-reload, start, stop, restart, status, is-active,
// is-enabled, enable and disable. The kubelet runs as a detached daemon
// whose pid file lives in the state directory.
func runSystemctl(args []string) int {
	svc := kubeletService{stateDir: defaultStateDir}
	var quiet, now bool
	var words []string
	for _, a := range args {
		switch {
		case strings.HasPrefix(a, "--state-dir="):
			svc.stateDir = strings.TrimPrefix(a, "--state-dir=")
		case a == "-q" || a == "--quiet":
			quiet = true
		case a == "--now":
			now = true
		case strings.HasPrefix(a, "-"):
			// --no-pager, --system and the like change nothing here.
		default:
			words = append(words, a)
		}
	}
	if len(words) == 0 {
		fmt.Fprintln(os.Stderr, "systemctl (kadm e2e stand-in): no command given")
		return exitFailed
	}
	verb, units := words[0], words[1:]
	if verb == "daemon-reload" || verb == "reset-failed" {
		return 0
	}
	if len(units) == 0 {
		fmt.Fprintln(os.Stderr, "Too few arguments.")
		return exitFailed
	}
	out := io.Writer(os.Stdout)
	if quiet {
		out = io.Discard
	}
	code := 0
	for _, u := range units {
		if c := svc.do(verb, strings.TrimSuffix(u, ".service"), now, out); c > code {
			code = c
		}
	}
	return code
}

type kubeletService struct{ stateDir string }

func (s kubeletService) do(verb, unit string, now bool, out io.Writer) int {
	if unit != "kubelet" {
		if verb == "is-active" {
			fmt.Fprintln(out, "inactive")
			return exitInactive
		}
		fmt.Fprintf(os.Stderr, "Unit %s.service could not be found.\n", unit)
		return exitNoUnit
	}
	var err error
	switch verb {
	case "start":
		err = s.start()
	case "stop":
		err = s.stop()
	case "restart", "try-restart", "reload-or-restart":
		if err = s.stop(); err == nil {
			err = s.start()
		}
	case "enable", "disable":
		err = s.setEnabled(verb == "enable")
		if err == nil && now {
			if verb == "enable" {
				err = s.start()
			} else {
				err = s.stop()
			}
		}
	case "is-active":
		if _, ok := s.running(); ok {
			fmt.Fprintln(out, "active")
			return 0
		}
		fmt.Fprintln(out, "inactive")
		return exitInactive
	case "is-enabled":
		if s.enabled() {
			fmt.Fprintln(out, "enabled")
			return 0
		}
		fmt.Fprintln(out, "disabled")
		return exitFailed
	case "status":
		return s.status(out)
	default:
		fmt.Fprintf(os.Stderr, "systemctl (kadm e2e stand-in): unsupported command %q\n", verb)
		return exitFailed
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "Failed to %s kubelet.service: %v\n", verb, err)
		return exitFailed
	}
	return 0
}

func (s kubeletService) pidFile() string      { return filepath.Join(s.stateDir, "kubelet.pid") }
func (s kubeletService) disabledFile() string { return filepath.Join(s.stateDir, "kubelet.disabled") }
func (s kubeletService) logFile() string      { return filepath.Join(s.stateDir, "kubelet.log") }

// running returns the kubelet daemon's identity when it runs.
func (s kubeletService) running() (procID, bool) {
	b, err := os.ReadFile(s.pidFile())
	if err != nil {
		return procID{}, false
	}
	var p procID
	if json.Unmarshal(b, &p) != nil {
		return procID{}, false
	}
	return p, p.alive()
}

// enabled is true unless disabled: a kubelet package enables its unit.
func (s kubeletService) enabled() bool {
	_, err := os.Stat(s.disabledFile())
	return errors.Is(err, os.ErrNotExist)
}

func (s kubeletService) setEnabled(on bool) error {
	if on {
		if err := os.Remove(s.disabledFile()); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		return nil
	}
	if err := os.MkdirAll(s.stateDir, 0o755); err != nil {
		return err
	}
	return os.WriteFile(s.disabledFile(), nil, 0o644)
}

func (s kubeletService) stop() error {
	p, ok := s.running()
	if ok {
		if err := stopAll([]procID{p}, 15*time.Second); err != nil {
			return fmt.Errorf("stop kubelet (pid %d): %w", p.PID, err)
		}
	}
	if err := os.Remove(s.pidFile()); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

// start runs the unit's ExecStart, "kubelet" from PATH with the drop-in's
// flags, as a daemon in its own session logging to kubelet.log.
func (s kubeletService) start() error {
	if _, ok := s.running(); ok {
		return nil
	}
	kubelet, err := exec.LookPath("kubelet")
	if err != nil {
		return fmt.Errorf("the kubelet unit's program: %w", err)
	}
	args := append([]string(nil), kubeletUnitArgs...)
	for _, f := range kubeletEnvFiles {
		extra, err := envFileArgs(f.path, f.variable)
		if err != nil {
			return err
		}
		args = append(args, extra...)
	}
	if err := os.MkdirAll(s.stateDir, 0o755); err != nil {
		return err
	}
	logf, err := os.OpenFile(s.logFile(), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logf.Close()
	fmt.Fprintf(logf, "==== %s systemctl: starting %s %s\n", time.Now().Format(time.RFC3339Nano), kubelet, strings.Join(args, " "))
	cmd := exec.Command(kubelet, args...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	cmd.Dir = "/"
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return err
	}
	p, err := identify(cmd.Process.Pid)
	if err != nil {
		return fmt.Errorf("kubelet exited at once: see %s", s.logFile())
	}
	_ = cmd.Process.Release()
	b, _ := json.Marshal(p)
	tmp := s.pidFile() + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, s.pidFile())
}

func (s kubeletService) status(out io.Writer) int {
	enabled := "disabled"
	if s.enabled() {
		enabled = "enabled"
	}
	fmt.Fprintln(out, "● kubelet.service - kubelet: The Kubernetes Node Agent (kadm e2e stand-in)")
	fmt.Fprintf(out, "     Loaded: loaded (/usr/lib/systemd/system/kubelet.service; %s; preset: enabled)\n", enabled)
	p, ok := s.running()
	if !ok {
		fmt.Fprintln(out, "     Active: inactive (dead)")
		return exitInactive
	}
	fmt.Fprintln(out, "     Active: active (running)")
	fmt.Fprintf(out, "   Main PID: %d (kubelet)\n", p.PID)
	return 0
}

// envFileArgs reads an environment file and splits the named variable into
// words, as systemd expands an unbraced $VARIABLE in ExecStart.
func envFileArgs(path, variable string) ([]string, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		key, value, ok := strings.Cut(line, "=")
		if !ok || strings.HasPrefix(line, "#") || strings.TrimSpace(key) != variable {
			continue
		}
		value = strings.TrimSpace(value)
		if len(value) >= 2 && (value[0] == '"' || value[0] == '\'') && value[len(value)-1] == value[0] {
			value = value[1 : len(value)-1]
		}
		return strings.Fields(value), nil
	}
	return nil, nil
}
