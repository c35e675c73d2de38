package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
)

// servicePath is the PATH a service starts with when its unit sets none, systemd's.
const servicePath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// manager plays systemd for the services a host manages.
type manager struct {
	// root is the host's "/" as the manager sees it: "/" inside a host.
	root string
	// logDir holds one log per service: its output and the manager's record of
	// each start, exit, restart and stop.
	logDir string
	// check runs before every start; a service is not started while it fails.
	check  func() error
	reaper *reaper

	mu       sync.Mutex
	services map[string]*service
	order    []string
}

// service is one managed unit and its supervisor.
type service struct {
	m    *manager
	name string

	mu    sync.Mutex
	unit  *unit
	err   error // why the unit file could not be loaded
	state string
	sub   string
	pid   int
	since time.Time
	// stop, kick and done belong to the running supervisor: stop is closed to end
	// it, kick starts the next attempt without waiting RestartSec, done is closed
	// when it has ended.
	stop chan struct{}
	kick chan struct{}
	done chan struct{}
}

func newManager(root, logDir string, units []string, check func() error) *manager {
	m := &manager{root: root, logDir: logDir, check: check, reaper: theReaper(), services: map[string]*service{}}
	for _, name := range units {
		m.services[name] = &service{m: m, name: name, state: "inactive", sub: "dead"}
		m.order = append(m.order, name)
	}
	m.reload()
	return m
}

// reload rereads every managed unit, as daemon-reload does: a running service
// keeps its process; the new definition applies from its next start. A
// service file an administrator has added to the host's /etc/systemd/system
// becomes managed too; the other unit directories may be the machine's and
// add nothing.
func (m *manager) reload() []string {
	var problems []string
	added, _ := filepath.Glob(filepath.Join(m.root, "/etc/systemd/system", "*.service"))
	for _, path := range added {
		name := filepath.Base(path)
		if _, ok := m.services[name]; !ok {
			m.services[name] = &service{m: m, name: name, state: "inactive", sub: "dead"}
			m.order = append(m.order, name)
		}
	}
	for _, name := range m.order {
		s := m.services[name]
		u, err := loadUnit(m.root, name)
		s.mu.Lock()
		if err != nil {
			s.err = err
			problems = append(problems, err.Error())
		} else {
			s.unit, s.err = u, nil
			if len(u.Ignored) > 0 {
				s.journal("unit directives a simulated host does not act on: %s", strings.Join(u.Ignored, "; "))
			}
		}
		s.mu.Unlock()
	}
	return problems
}

// service returns the managed unit of that name, "kubelet" meaning
// "kubelet.service".
func (m *manager) service(name string) *service {
	if !strings.Contains(name, ".") {
		name += ".service"
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.services[name]
}

// boot starts the enabled services in order, as the host's boot would.
func (m *manager) boot() {
	for _, name := range m.order {
		s := m.services[name]
		if state, _ := s.enabled(); state != "enabled" {
			continue
		}
		if err := s.start(); err != nil {
			s.journal("boot: %v", err)
		}
	}
}

// journal records an event in the service's log and in the init's.
func (s *service) journal(format string, args ...any) {
	line := fmt.Sprintf("==== %s hostinit: %s: %s\n", time.Now().Format(time.RFC3339Nano), s.name, fmt.Sprintf(format, args...))
	fmt.Fprint(os.Stderr, line)
	if f, err := s.openLog(); err == nil {
		_, _ = f.WriteString(line)
		f.Close()
	}
}

func (s *service) openLog() (*os.File, error) {
	if err := os.MkdirAll(s.m.logDir, 0o755); err != nil {
		return nil, err
	}
	return os.OpenFile(filepath.Join(s.m.logDir, strings.TrimSuffix(s.name, ".service")+".log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
}

func (s *service) setState(state, sub string, pid int) {
	s.mu.Lock()
	s.state, s.sub, s.pid, s.since = state, sub, pid, time.Now()
	s.mu.Unlock()
}

// start starts the service unless it runs; a service waiting to be restarted is
// started at once. It returns when the first attempt has started the main
// process, or why it could not.
func (s *service) start() error {
	s.mu.Lock()
	if s.done != nil {
		select {
		case <-s.done:
		default:
			select {
			case s.kick <- struct{}{}:
			default:
			}
			s.mu.Unlock()
			return nil
		}
	}
	u, err := s.unit, s.err
	if err != nil {
		s.mu.Unlock()
		return err
	}
	s.stop, s.kick, s.done = make(chan struct{}), make(chan struct{}, 1), make(chan struct{})
	started := make(chan error, 1)
	go s.supervise(u, s.stop, s.kick, s.done, started)
	s.mu.Unlock()
	return <-started
}

// stopService ends the supervisor and its process, if any, and waits for both.
func (s *service) stopService() {
	s.mu.Lock()
	stop, done := s.stop, s.done
	s.mu.Unlock()
	if done == nil {
		return
	}
	select {
	case <-stop:
	default:
		close(stop)
	}
	<-done
}

// supervise runs the service until stop is closed or Restart= lets it end.
func (s *service) supervise(u *unit, stop <-chan struct{}, kick <-chan struct{}, done chan<- struct{}, started chan<- error) {
	defer close(done)
	report := func(err error) {
		if started != nil {
			started <- err
			started = nil
		}
	}
	for {
		if err := s.m.check(); err != nil {
			s.setState("failed", "failed", 0)
			s.journal("refusing to start: %v", err)
			report(fmt.Errorf("refusing to start %s: %w", s.name, err))
			return
		}
		s.setState("activating", "start", 0)
		var clean, signaled bool
		pid, exited, err := s.exec(u)
		if err != nil {
			s.journal("failed to start: %v", err)
			report(err)
		} else {
			// Active before start returns, as systemd has a simple service.
			s.setState("active", "running", pid)
			report(nil)
			select {
			case ws := <-exited:
				clean, signaled = ws.Exited() && ws.ExitStatus() == 0, ws.Signaled()
				s.journal("main process %d exited: %s", pid, describeStatus(ws))
			case <-stop:
				s.setState("deactivating", "stop-sigterm", pid)
				s.kill(u, pid, exited)
				s.setState("inactive", "dead", 0)
				return
			}
		}
		if !u.shouldRestart(clean, signaled) {
			if clean {
				s.setState("inactive", "dead", 0)
			} else {
				s.setState("failed", "failed", 0)
			}
			return
		}
		s.setState("activating", "auto-restart", 0)
		s.journal("restarting in %s (Restart=%s)", u.RestartSec, u.Restart)
		t := time.NewTimer(u.RestartSec)
		select {
		case <-t.C:
		case <-kick:
			t.Stop()
		case <-stop:
			t.Stop()
			s.setState("inactive", "dead", 0)
			return
		}
	}
}

// exec runs the ExecStartPre commands, then starts the main one.
func (s *service) exec(u *unit) (int, <-chan syscall.WaitStatus, error) {
	env, err := u.environment(s.m.root)
	if err != nil {
		return 0, nil, err
	}
	if _, ok := env["PATH"]; !ok {
		env["PATH"] = servicePath
	}
	envList := make([]string, 0, len(env))
	for k, v := range env {
		envList = append(envList, k+"="+v)
	}
	sort.Strings(envList)
	log, err := s.openLog()
	if err != nil {
		return 0, nil, err
	}
	defer log.Close()
	dir := u.WorkingDirectory
	if dir == "" {
		dir = "/"
	}
	run := func(c command) (int, <-chan syscall.WaitStatus, error) {
		argv, err := expandCommand(c.Line, env)
		if err != nil {
			return 0, nil, err
		}
		if !filepath.IsAbs(argv[0]) {
			path, err := exec.LookPath(argv[0])
			if err != nil {
				return 0, nil, err
			}
			argv[0] = path
		}
		pid, ch, err := s.m.reaper.start(argv, envList, dir, log)
		if err == nil {
			s.journal("started %d: %s", pid, strings.Join(argv, " "))
		}
		return pid, ch, err
	}
	for _, c := range u.ExecStartPre {
		pid, ch, err := run(c)
		if err == nil {
			ws := <-ch
			if ws.Exited() && ws.ExitStatus() == 0 {
				continue
			}
			err = fmt.Errorf("ExecStartPre process %d: %s", pid, describeStatus(ws))
		}
		if !c.IgnoreFailure {
			return 0, nil, err
		}
		s.journal("ignoring the failure of ExecStartPre=-%s: %v", c.Line, err)
	}
	return run(u.ExecStart[0])
}

// kill stops the main process as KillMode= says: SIGTERM to it ("process") or to
// its process group (which stands in for its cgroup), SIGKILL after
// TimeoutStopSec.
func (s *service) kill(u *unit, pid int, exited <-chan syscall.WaitStatus) {
	if pid <= 1 {
		// kill(2) would read 0, -1 or 1 as "everyone" or the init itself.
		s.journal("not signalling pid %d", pid)
		return
	}
	target := -pid
	if u.KillMode == "process" {
		target = pid
	}
	s.journal("stopping: SIGTERM to %d (KillMode=%s)", pid, u.KillMode)
	_ = syscall.Kill(target, syscall.SIGTERM)
	timeout := u.TimeoutStopSec
	if timeout == 0 {
		timeout = defaultTimeoutStopSec
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case ws := <-exited:
		s.journal("main process %d exited: %s", pid, describeStatus(ws))
	case <-t.C:
		s.journal("main process %d outlived TimeoutStopSec=%s: SIGKILL", pid, timeout)
		_ = syscall.Kill(target, syscall.SIGKILL)
		<-exited
	}
}

func describeStatus(ws syscall.WaitStatus) string {
	if ws.Signaled() {
		return "killed by " + ws.Signal().String()
	}
	return fmt.Sprintf("status %d", ws.ExitStatus())
}

// enabled answers is-enabled: "enabled" when a WantedBy= target's .wants
// directory links the unit, "static" when it has no [Install] section.
func (s *service) enabled() (string, error) {
	s.mu.Lock()
	u, err := s.unit, s.err
	s.mu.Unlock()
	if err != nil {
		return "", err
	}
	if len(u.WantedBy) == 0 {
		return "static", nil
	}
	for _, link := range s.wantsLinks(u) {
		if _, err := os.Lstat(link); err == nil {
			return "enabled", nil
		}
	}
	return "disabled", nil
}

func (s *service) wantsLinks(u *unit) []string {
	var links []string
	for _, target := range u.WantedBy {
		links = append(links, filepath.Join(s.m.root, "/etc/systemd/system", target+".wants", s.name))
	}
	return links
}

// setEnabled creates or removes the .wants links, as enable and disable do.
func (s *service) setEnabled(on bool) ([]string, error) {
	s.mu.Lock()
	u, err := s.unit, s.err
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	var said []string
	for _, link := range s.wantsLinks(u) {
		if on {
			if _, err := os.Lstat(link); err == nil {
				continue
			}
			if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
				return said, err
			}
			if err := os.Symlink(u.Files[0], link); err != nil {
				return said, err
			}
			said = append(said, fmt.Sprintf("Created symlink %s → %s.", link, u.Files[0]))
			continue
		}
		if err := os.Remove(link); err == nil {
			said = append(said, "Removed "+link+".")
		} else if !os.IsNotExist(err) {
			return said, err
		}
	}
	return said, nil
}
