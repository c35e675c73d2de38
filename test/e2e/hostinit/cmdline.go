package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// splitWords splits a value into words as systemd splits command lines and
// Environment= assignments: at unquoted white space, with "..." and '...' quoting
// and backslash escapes.
func splitWords(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	var quote rune
	runes := []rune(s)
	for i := 0; i < len(runes); i++ {
		r := runes[i]
		switch {
		case r == '\\' && quote != '\'':
			if i+1 >= len(runes) {
				return nil, fmt.Errorf("%q ends in a backslash", s)
			}
			i++
			cur.WriteRune(unescape(runes[i]))
			inWord = true
		case quote != 0:
			if r == quote {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case r == '"' || r == '\'':
			quote = r
			inWord = true
		case r == ' ' || r == '\t' || r == '\n':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("%q has an unterminated %c quote", s, quote)
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

func unescape(r rune) rune {
	switch r {
	case 'n':
		return '\n'
	case 't':
		return '\t'
	}
	return r
}

var bracedVar = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

var plainVar = regexp.MustCompile(`^\$([A-Za-z_][A-Za-z0-9_]*)$`)

// expandCommand turns an Exec*= line into argv with the unit's environment, as
// systemd does: a word that is exactly $NAME becomes the variable's value split at
// white space (no word at all when it is empty or unset); ${NAME} is replaced in
// place and keeps its word whole; $$ is a dollar sign.
func expandCommand(line string, env map[string]string) ([]string, error) {
	words, err := splitWords(line)
	if err != nil {
		return nil, err
	}
	var argv []string
	for _, w := range words {
		if m := plainVar.FindStringSubmatch(w); m != nil {
			argv = append(argv, strings.Fields(env[m[1]])...)
			continue
		}
		w = strings.ReplaceAll(w, "$$", "\x00")
		w = bracedVar.ReplaceAllStringFunc(w, func(v string) string { return env[v[2:len(v)-1]] })
		argv = append(argv, strings.ReplaceAll(w, "\x00", "$"))
	}
	if len(argv) == 0 {
		return nil, fmt.Errorf("%q names no program", line)
	}
	return argv, nil
}

var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// parseEnvironmentFile reads an EnvironmentFile=: NAME=VALUE lines, # and ;
// comments, values optionally in single or double quotes, a trailing backslash
// continuing the line.
func parseEnvironmentFile(data []byte) ([][2]string, error) {
	var out [][2]string
	sc := bufio.NewScanner(bytes.NewReader(data))
	var pending string
	for sc.Scan() {
		line := sc.Text()
		if strings.HasSuffix(line, `\`) {
			pending += strings.TrimSuffix(line, `\`)
			continue
		}
		line, pending = strings.TrimSpace(pending+line), ""
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		key = strings.TrimSpace(strings.TrimPrefix(key, "export "))
		if !ok || !envName.MatchString(key) {
			return nil, fmt.Errorf("%q is not NAME=VALUE", line)
		}
		value = strings.TrimSpace(value)
		if n := len(value); n >= 2 && (value[0] == '"' || value[0] == '\'') && value[n-1] == value[0] {
			value = value[1 : n-1]
		} else if n > 0 && (value[0] == '"' || value[0] == '\'') {
			return nil, fmt.Errorf("%s: unterminated quote", key)
		}
		out = append(out, [2]string{key, value})
	}
	if pending != "" {
		return nil, errors.New("the last line ends in a backslash")
	}
	return out, sc.Err()
}
