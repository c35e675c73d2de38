package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// unitDirs are where systemd looks for unit files and their drop-ins, the first
// the strongest.
var unitDirs = []string{"/etc/systemd/system", "/run/systemd/system", "/usr/local/lib/systemd/system", "/usr/lib/systemd/system"}

// unit is what a service's unit file and drop-ins say about starting, stopping and
// restarting it; the directives a simulated host has no use for are listed in
// Ignored.
type unit struct {
	Name        string
	Description string
	// Files are the unit file and then its drop-ins, in the order they apply.
	Files []string

	ExecStartPre     []command
	ExecStart        []command
	Environment      []string
	EnvironmentFiles []environmentFile
	WorkingDirectory string
	Restart          string
	RestartSec       time.Duration
	KillMode         string
	TimeoutStopSec   time.Duration
	WantedBy         []string

	Ignored []string
}

// command is one Exec*= line.
type command struct {
	Line string
	// IgnoreFailure is the "-" prefix: a non-zero exit does not fail the unit.
	IgnoreFailure bool
}

type environmentFile struct {
	Path string
	// Optional is the "-" prefix: a missing file is skipped.
	Optional bool
}

// defaultRestartSec and defaultTimeoutStopSec are systemd's defaults.
const (
	defaultRestartSec     = 100 * time.Millisecond
	defaultTimeoutStopSec = 90 * time.Second
)

// loadUnit reads the service name from the unit directories under root (the host's
// "/" in production, a test directory in tests).
func loadUnit(root, name string) (*unit, error) {
	var main string
	for _, dir := range unitDirs {
		p := filepath.Join(root, dir, name)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Size() > 0 {
			main = p
			break
		}
	}
	if main == "" {
		return nil, fmt.Errorf("unit %s: %w", name, fs.ErrNotExist)
	}
	u := &unit{Name: name, Restart: "no", RestartSec: defaultRestartSec, KillMode: "control-group", TimeoutStopSec: defaultTimeoutStopSec}
	files := []string{main}
	// A drop-in overrides one of the same name in a weaker directory; all apply in
	// the order of their names.
	dropIns := map[string]string{}
	for i := len(unitDirs) - 1; i >= 0; i-- {
		matches, _ := filepath.Glob(filepath.Join(root, unitDirs[i], name+".d", "*.conf"))
		for _, m := range matches {
			dropIns[filepath.Base(m)] = m
		}
	}
	names := make([]string, 0, len(dropIns))
	for n := range dropIns {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		files = append(files, dropIns[n])
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		if err := u.parse(b); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		rel, err := filepath.Rel(root, f)
		if err != nil {
			return nil, err
		}
		u.Files = append(u.Files, "/"+rel)
	}
	if len(u.ExecStart) != 1 {
		return nil, fmt.Errorf("unit %s: %d ExecStart= commands, want one (Type=simple)", name, len(u.ExecStart))
	}
	return u, nil
}

// parse applies one unit file or drop-in to u, as systemd reads them: sections,
// comments, continuation lines, and an empty value resetting a list.
func (u *unit) parse(data []byte) error {
	section := ""
	sc := bufio.NewScanner(bytes.NewReader(data))
	lineNo := 0
	var pending string
	for sc.Scan() {
		lineNo++
		line := strings.TrimSpace(sc.Text())
		if pending == "" && (line == "" || line[0] == '#' || line[0] == ';') {
			continue
		}
		if strings.HasSuffix(line, `\`) {
			pending += strings.TrimSuffix(line, `\`) + " "
			continue
		}
		line, pending = pending+line, ""
		if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			section = line[1 : len(line)-1]
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		if !ok {
			return fmt.Errorf("line %d: %q is neither a section nor a Key=Value", lineNo, line)
		}
		if err := u.set(section, strings.TrimSpace(key), strings.TrimSpace(value)); err != nil {
			return fmt.Errorf("line %d: %w", lineNo, err)
		}
	}
	if pending != "" {
		return errors.New("the last line ends in a backslash")
	}
	return sc.Err()
}

func (u *unit) set(section, key, value string) error {
	var err error
	switch section + "." + key {
	case "Unit.Description":
		u.Description = value
	case "Service.ExecStart":
		u.ExecStart = appendCommand(u.ExecStart, value)
	case "Service.ExecStartPre":
		u.ExecStartPre = appendCommand(u.ExecStartPre, value)
	case "Service.Environment":
		if value == "" {
			u.Environment = nil
			break
		}
		var words []string
		if words, err = splitWords(value); err == nil {
			for _, w := range words {
				if !strings.Contains(w, "=") {
					return fmt.Errorf("Environment=%s: %q is not NAME=VALUE", value, w)
				}
			}
			u.Environment = append(u.Environment, words...)
		}
	case "Service.EnvironmentFile":
		if value == "" {
			u.EnvironmentFiles = nil
			break
		}
		path, optional := strings.CutPrefix(value, "-")
		u.EnvironmentFiles = append(u.EnvironmentFiles, environmentFile{Path: path, Optional: optional})
	case "Service.WorkingDirectory":
		u.WorkingDirectory = strings.TrimPrefix(value, "-")
	case "Service.Restart":
		switch value {
		case "no", "always", "on-failure", "on-abnormal", "on-abort", "on-success", "on-watchdog":
			u.Restart = value
		default:
			return fmt.Errorf("Restart=%s: unknown value", value)
		}
	case "Service.RestartSec":
		u.RestartSec, err = parseSeconds(value)
	case "Service.TimeoutStopSec":
		u.TimeoutStopSec, err = parseSeconds(value)
	case "Service.KillMode":
		u.KillMode = value
	case "Install.WantedBy":
		u.WantedBy = append(u.WantedBy, strings.Fields(value)...)
	default:
		u.Ignored = append(u.Ignored, key+"="+value)
	}
	return err
}

// appendCommand adds an Exec*= line; an empty one clears the list, as a drop-in
// does before it replaces ExecStart.
func appendCommand(list []command, value string) []command {
	if value == "" {
		return nil
	}
	c := command{}
	// Prefixes: "-" ignores failure; "@", "+", "!", ":" change what a simulated
	// host does not model (argv[0], privileges, expansion).
	for len(value) > 0 && strings.ContainsRune("-@+!:", rune(value[0])) {
		if value[0] == '-' {
			c.IgnoreFailure = true
		}
		value = value[1:]
	}
	c.Line = value
	return append(list, c)
}

// parseSeconds reads a systemd time span: plain seconds or a Go-style duration
// ("1s", "500ms", "2min", "infinity").
func parseSeconds(v string) (time.Duration, error) {
	if v == "infinity" {
		return 0, nil
	}
	if n, err := strconv.ParseFloat(v, 64); err == nil {
		return time.Duration(n * float64(time.Second)), nil
	}
	d, err := time.ParseDuration(strings.ReplaceAll(v, "min", "m"))
	if err != nil {
		return 0, fmt.Errorf("time span %q: %w", v, err)
	}
	return d, nil
}

// environment is the unit's environment: Environment= assignments, then the
// environment files in order, later assignments winning, as systemd does.
func (u *unit) environment(root string) (map[string]string, error) {
	env := map[string]string{}
	for _, a := range u.Environment {
		k, v, _ := strings.Cut(a, "=")
		env[k] = v
	}
	for _, f := range u.EnvironmentFiles {
		b, err := os.ReadFile(filepath.Join(root, f.Path))
		if errors.Is(err, fs.ErrNotExist) && f.Optional {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("EnvironmentFile=%s: %w", f.Path, err)
		}
		pairs, err := parseEnvironmentFile(b)
		if err != nil {
			return nil, fmt.Errorf("EnvironmentFile=%s: %w", f.Path, err)
		}
		for _, p := range pairs {
			env[p[0]] = p[1]
		}
	}
	return env, nil
}

// shouldRestart tells whether Restart= restarts a service whose main process
// ended cleanly (exit status 0) or not, killed by a signal or not.
func (u *unit) shouldRestart(clean, signaled bool) bool {
	switch u.Restart {
	case "always":
		return true
	case "on-success":
		return clean
	case "on-failure":
		return !clean
	case "on-abnormal", "on-abort":
		return signaled
	}
	return false
}
