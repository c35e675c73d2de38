package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// controlSocket is where the init listens for systemctl, inside the host's /run.
const controlSocket = "/run/kadm-e2e/systemd.sock"

// Exit codes systemctl uses for the answers callers branch on.
const (
	exitFailed   = 1
	exitInactive = 3
	exitNoUnit   = 4
)

type request struct {
	Args []string `json:"args"`
}

type response struct {
	Stdout string `json:"stdout"`
	Stderr string `json:"stderr"`
	Code   int    `json:"code"`
}

// runSystemctl is the host's systemctl: it hands its arguments to the init and
// prints the answer.
func runSystemctl(args []string) int {
	conn, err := net.Dial("unix", controlSocket)
	if err != nil {
		fmt.Fprintf(os.Stderr, "System has not been booted with systemd as init system (PID 1). Can't operate.\n(kadm e2e host: %v)\n", err)
		return exitFailed
	}
	defer conn.Close()
	if err := json.NewEncoder(conn).Encode(request{Args: args}); err != nil {
		fmt.Fprintln(os.Stderr, "systemctl:", err)
		return exitFailed
	}
	var resp response
	if err := json.NewDecoder(bufio.NewReader(conn)).Decode(&resp); err != nil {
		fmt.Fprintln(os.Stderr, "systemctl: no answer from the init:", err)
		return exitFailed
	}
	fmt.Fprint(os.Stdout, resp.Stdout)
	fmt.Fprint(os.Stderr, resp.Stderr)
	return resp.Code
}

// serve answers systemctl requests until the listener fails.
func (m *manager) serve(ln net.Listener) {
	for {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		go func() {
			defer conn.Close()
			var req request
			if err := json.NewDecoder(conn).Decode(&req); err != nil {
				return
			}
			var out, errOut strings.Builder
			code := m.systemctl(req.Args, caller(conn), &out, &errOut)
			_ = json.NewEncoder(conn).Encode(response{Stdout: out.String(), Stderr: errOut.String(), Code: code})
		}()
	}
}

// caller describes who ran systemctl, for the journal: the command line of
// systemctl's parent (kadm, kubeadm, a test).
func caller(conn net.Conn) string {
	uc, ok := conn.(*net.UnixConn)
	if !ok {
		return "?"
	}
	raw, err := uc.SyscallConn()
	if err != nil {
		return "?"
	}
	var cred *syscall.Ucred
	_ = raw.Control(func(fd uintptr) {
		cred, _ = syscall.GetsockoptUcred(int(fd), syscall.SOL_SOCKET, syscall.SO_PEERCRED)
	})
	if cred == nil {
		return "?"
	}
	ppid := parentPID(int(cred.Pid))
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(ppid), "cmdline"))
	if err != nil {
		return fmt.Sprintf("pid %d", ppid)
	}
	return fmt.Sprintf("pid %d: %s", ppid, redactedCommand(strings.Split(strings.TrimRight(string(b), "\x00"), "\x00")))
}

// secretFlags are the flags of kadm and kubeadm whose value is a credential: the
// journal, printed when a test fails, must not carry them.
var secretFlags = []string{"--token", "--tls-bootstrap-token", "--discovery-token", "--certificate-key"}

// bootstrapToken is a bootstrap token given as an argument (`token create <token>`).
var bootstrapToken = regexp.MustCompile(`^[a-z0-9]{6}\.[a-z0-9]{16}$`)

// redactedCommand joins argv for the journal with every credential in it replaced.
func redactedCommand(argv []string) string {
	out := make([]string, len(argv))
	secretNext := false
	for i, a := range argv {
		name, _, hasValue := strings.Cut(a, "=")
		switch {
		case secretNext || bootstrapToken.MatchString(a):
			out[i] = "<redacted>"
		case hasValue && slices.Contains(secretFlags, name):
			out[i] = name + "=<redacted>"
		default:
			out[i] = a
		}
		secretNext = !hasValue && slices.Contains(secretFlags, a)
	}
	return strings.Join(out, " ")
}

func parentPID(pid int) int {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return 0
	}
	// The command name, in parentheses, may hold spaces: the fields after it
	// are state, then the parent's pid.
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(fields) < 2 {
		return 0
	}
	n, _ := strconv.Atoi(fields[1])
	return n
}

// systemctl carries out one systemctl command line and returns its exit code.
func (m *manager) systemctl(args []string, from string, out, errOut io.Writer) int {
	var quiet, now bool
	var words []string
	for _, a := range args {
		switch {
		case a == "-q" || a == "--quiet":
			quiet = true
		case a == "--now":
			now = true
		case strings.HasPrefix(a, "-"):
			// --no-pager, --system, --no-block and the like change nothing here.
		default:
			words = append(words, a)
		}
	}
	if quiet {
		out = io.Discard
	}
	if len(words) == 0 {
		fmt.Fprintln(errOut, "systemctl (kadm e2e host): no command given")
		return exitFailed
	}
	verb, units := words[0], words[1:]
	switch verb {
	case "daemon-reload":
		m.mu.Lock()
		problems := m.reload()
		m.mu.Unlock()
		for _, p := range problems {
			fmt.Fprintln(errOut, p)
		}
		return 0
	case "reset-failed":
		return 0
	}
	if len(units) == 0 {
		fmt.Fprintln(errOut, "Too few arguments.")
		return exitFailed
	}
	code := 0
	for _, name := range units {
		if c := m.unitCommand(verb, name, now, from, out, errOut); c > code {
			code = c
		}
	}
	return code
}

func (m *manager) unitCommand(verb, name string, now bool, from string, out, errOut io.Writer) int {
	s := m.service(name)
	if s == nil {
		switch verb {
		case "is-active", "is-failed":
			fmt.Fprintln(out, "inactive")
			return exitInactive
		case "is-enabled":
			fmt.Fprintf(errOut, "Failed to get unit file state for %s: No such file or directory\n", name)
			return exitFailed
		}
		fmt.Fprintf(errOut, "Unit %s could not be found.\n", unitName(name))
		return exitNoUnit
	}
	var err error
	switch verb {
	case "start", "stop", "restart", "try-restart", "reload-or-restart":
		s.journal("systemctl %s requested by %s", verb, from)
	}
	switch verb {
	case "start":
		err = s.start()
	case "stop":
		s.stopService()
	case "restart", "reload-or-restart":
		s.stopService()
		err = s.start()
	case "try-restart":
		if state, _ := s.activeState(); state == "active" || state == "activating" {
			s.stopService()
			err = s.start()
		}
	case "enable", "disable":
		var said []string
		said, err = s.setEnabled(verb == "enable")
		for _, l := range said {
			fmt.Fprintln(errOut, l)
		}
		if err == nil && now {
			if verb == "enable" {
				err = s.start()
			} else {
				s.stopService()
			}
		}
	case "is-active":
		state, _ := s.activeState()
		fmt.Fprintln(out, state)
		if state == "active" {
			return 0
		}
		return exitInactive
	case "is-failed":
		state, _ := s.activeState()
		fmt.Fprintln(out, state)
		if state == "failed" {
			return 0
		}
		return exitFailed
	case "is-enabled":
		state, err := s.enabled()
		if err != nil {
			fmt.Fprintln(errOut, err)
			return exitFailed
		}
		fmt.Fprintln(out, state)
		if state == "disabled" {
			return exitFailed
		}
		return 0
	case "status":
		return s.status(out)
	default:
		fmt.Fprintf(errOut, "systemctl (kadm e2e host): unsupported command %q\n", verb)
		return exitFailed
	}
	if err != nil {
		fmt.Fprintf(errOut, "Job for %s failed: %v\n", s.name, err)
		return exitFailed
	}
	return 0
}

func unitName(name string) string {
	if strings.Contains(name, ".") {
		return name
	}
	return name + ".service"
}

func (s *service) activeState() (state, sub string) {
	state, sub, _ = s.mainPID()
	return state, sub
}

// mainPID is the service's state and main process, 0 when none runs.
func (s *service) mainPID() (state, sub string, pid int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state, s.sub, s.pid
}

// status prints what `systemctl status` shows first: the unit file and
// drop-ins, the state, the main process.
func (s *service) status(out io.Writer) int {
	s.mu.Lock()
	u, loadErr, state, sub, pid, since := s.unit, s.err, s.state, s.sub, s.pid, s.since
	s.mu.Unlock()
	if loadErr != nil {
		fmt.Fprintf(out, "○ %s\n     Loaded: not-found (Reason: %v)\n     Active: inactive (dead)\n", s.name, loadErr)
		return exitNoUnit
	}
	enabled, _ := s.enabled()
	mark := "○"
	if state == "active" {
		mark = "●"
	}
	fmt.Fprintf(out, "%s %s - %s\n", mark, s.name, u.Description)
	fmt.Fprintf(out, "     Loaded: loaded (%s; %s)\n", u.Files[0], enabled)
	for i, f := range u.Files[1:] {
		if i == 0 {
			fmt.Fprintf(out, "    Drop-In: %s\n", filepath.Dir(f))
		}
		fmt.Fprintf(out, "             └─%s\n", filepath.Base(f))
	}
	when := ""
	if !since.IsZero() {
		when = " since " + since.UTC().Format(time.RFC1123)
	}
	fmt.Fprintf(out, "     Active: %s (%s)%s\n", state, sub, when)
	if pid > 0 {
		fmt.Fprintf(out, "   Main PID: %d (%s)\n", pid, filepath.Base(strings.Fields(u.ExecStart[0].Line)[0]))
	}
	if state == "active" {
		return 0
	}
	return exitInactive
}

// listen opens the control socket.
func listen() (net.Listener, error) {
	if err := os.MkdirAll(filepath.Dir(controlSocket), 0o755); err != nil {
		return nil, err
	}
	if err := os.Remove(controlSocket); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	return net.Listen("unix", controlSocket)
}
