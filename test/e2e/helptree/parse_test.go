package helptree

import (
	"fmt"
	"regexp"
	"strings"
)

// command is what one `<path> --help` says about a command.
type command struct {
	usage    string
	aliases  []string
	subs     []string
	flags    map[string]flag
	phases   []string
	hasPhase bool
}

// flag is a flag as pflag prints it in a help text.
type flag struct {
	shorthand, typ, def string
}

func (f flag) String() string {
	s := "type " + f.typ
	if f.typ == "" {
		s = "type bool"
	}
	if f.shorthand != "" {
		s += ", shorthand -" + f.shorthand
	}
	if f.def != "" {
		s += ", default " + f.def
	}
	return s
}

var (
	// flagLine is pflag's layout: shorthand, name and value name, at least
	// two spaces, the usage.
	flagLine = regexp.MustCompile(`^  (?:-(\S), )?\s*--([^\s=\[]+)(?: (\S+))?\s{2,}(.*)$`)
	// defaultText ends a flag's usage when its default is not the zero value.
	defaultText = regexp.MustCompile(`\(default (.*)\)$`)
)

// parseHelp reads a help text in cobra's default layout.
func parseHelp(text string) (*command, error) {
	c := &command{flags: map[string]flag{}}
	var section string
	var last string
	var usage []string
	for line := range strings.Lines(text) {
		line = strings.TrimRight(line, "\n")
		switch {
		case line == "Usage:", line == "Aliases:", line == "Available Commands:", line == "Flags:", line == "Global Flags:":
			section = line
			continue
		case line == "":
			if last != "" {
				if err := c.addFlag(last, usage); err != nil {
					return nil, err
				}
				last, usage = "", nil
			}
			section = ""
			continue
		}
		switch section {
		case "Usage:":
			if c.usage == "" {
				c.usage = strings.TrimSpace(line)
			}
		case "Aliases:":
			for a := range strings.SplitSeq(strings.TrimSpace(line), ",") {
				c.aliases = append(c.aliases, strings.TrimSpace(a))
			}
		case "Available Commands:":
			c.subs = append(c.subs, strings.Fields(line)[0])
		case "Flags:", "Global Flags:":
			if flagLine.MatchString(line) {
				if last != "" {
					if err := c.addFlag(last, usage); err != nil {
						return nil, err
					}
				}
				last, usage = line, nil
				continue
			}
			if last == "" {
				return nil, fmt.Errorf("a line of %s is no flag: %q", section, line)
			}
			usage = append(usage, strings.TrimSpace(line))
		}
	}
	if last != "" {
		if err := c.addFlag(last, usage); err != nil {
			return nil, err
		}
	}
	c.phases, c.hasPhase = parsePhases(text)
	return c, nil
}

func (c *command) addFlag(line string, more []string) error {
	m := flagLine.FindStringSubmatch(line)
	text := strings.Join(append([]string{m[4]}, more...), " ")
	f := flag{shorthand: m[1], typ: m[3]}
	if d := defaultText.FindStringSubmatch(text); d != nil {
		f.def = d[1]
	}
	if _, dup := c.flags[m[2]]; dup {
		return fmt.Errorf("flag --%s is listed twice", m[2])
	}
	c.flags[m[2]] = f
	return nil
}

// parsePhases reads the phase list a workflow command puts into its help:
// a block between ``` lines where children are indented two spaces per
// level and named "/child". It returns the phase paths in order.
func parsePhases(text string) ([]string, bool) {
	_, rest, ok := strings.Cut(text, "command executes the following phases:\n```\n")
	if !ok {
		return nil, false
	}
	block, _, _ := strings.Cut(rest, "```")
	var paths, stack []string
	for line := range strings.Lines(block) {
		trimmed := strings.TrimLeft(line, " ")
		if trimmed == "\n" || trimmed == "" {
			continue
		}
		level := (len(line) - len(trimmed)) / 2
		name := strings.TrimPrefix(strings.Fields(trimmed)[0], "/")
		stack = append(stack[:min(level, len(stack))], name)
		paths = append(paths, strings.Join(stack, "/"))
	}
	return paths, true
}
