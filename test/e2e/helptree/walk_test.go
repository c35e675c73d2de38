package helptree

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// tree maps a command's path below the program ("" for the program itself,
// "init phase certs all") to what its help says.
type tree map[string]*command

// helpFunc returns the help text of the command at args.
type helpFunc func(args []string) (string, error)

// walk reads the help of the program and of every command its help lists,
// with up to workers helps at once.
func walk(help helpFunc, workers int) (tree, error) {
	t := tree{}
	var (
		mu   sync.Mutex
		wg   sync.WaitGroup
		errs []error
	)
	sem := make(chan struct{}, workers)
	var visit func(path []string)
	visit = func(path []string) {
		defer wg.Done()
		sem <- struct{}{}
		text, err := help(path)
		<-sem
		key := strings.Join(path, " ")
		if err != nil {
			mu.Lock()
			errs = append(errs, fmt.Errorf("help of %q: %w", key, err))
			mu.Unlock()
			return
		}
		c, err := parseHelp(text)
		mu.Lock()
		if err != nil {
			errs = append(errs, fmt.Errorf("help of %q: %w", key, err))
		} else {
			t[key] = c
		}
		mu.Unlock()
		if err != nil {
			return
		}
		for _, sub := range c.subs {
			wg.Add(1)
			go visit(append(slices.Clone(path), sub))
		}
	}
	wg.Add(1)
	visit(nil)
	wg.Wait()
	if len(errs) > 0 {
		return nil, fmt.Errorf("%d help texts could not be read, the first: %w", len(errs), errs[0])
	}
	return t, nil
}

// differences lists, sorted, every way the kadm tree differs from the
// kubeadm tree, one line each in the form testdata/intended.txt matches.
func differences(kubeadm, kadm tree) []string {
	var diffs []string
	add := func(format string, args ...any) { diffs = append(diffs, fmt.Sprintf(format, args...)) }
	for path, want := range kubeadm {
		got, ok := kadm[path]
		if !ok {
			add("command %q: only in kubeadm", path)
			continue
		}
		if got.usage != want.usage {
			add("usage %q: kubeadm %q, kadm %q", path, want.usage, got.usage)
		}
		if !slices.Equal(got.aliases, want.aliases) {
			add("aliases %q: kubeadm %v, kadm %v", path, want.aliases, got.aliases)
		}
		if got.hasPhase != want.hasPhase || !slices.Equal(got.phases, want.phases) {
			add("phases %q: kubeadm %v, kadm %v", path, want.phases, got.phases)
		}
		for name, wf := range want.flags {
			gf, ok := got.flags[name]
			switch {
			case !ok:
				add("flag %q: only in kubeadm (%s)", path+" --"+name, wf)
			case gf != wf:
				add("flag %q: kubeadm %s; kadm %s", path+" --"+name, wf, gf)
			}
		}
		for name, gf := range got.flags {
			if _, ok := want.flags[name]; !ok {
				add("flag %q: only in kadm (%s)", path+" --"+name, gf)
			}
		}
	}
	for path := range kadm {
		if _, ok := kubeadm[path]; !ok {
			add("command %q: only in kadm", path)
		}
	}
	slices.Sort(diffs)
	return diffs
}

// intended is one entry of testdata/intended.txt: a pattern that matches
// differences ("*" stands for any text) and why they are intended.
type intended struct {
	line    int
	pattern string
	re      *regexp.Regexp
	reason  string
}

// parseIntended reads the list of intended differences: one per line,
// "<pattern> -- <reason>"; blank lines and lines starting with # are
// comments.
func parseIntended(text string) ([]intended, error) {
	var list []intended
	n := 0
	for line := range strings.Lines(text) {
		n++
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		pattern, reason, ok := strings.Cut(line, " -- ")
		pattern, reason = strings.TrimSpace(pattern), strings.TrimSpace(reason)
		if !ok || pattern == "" || reason == "" {
			return nil, fmt.Errorf("line %d: want \"<difference> -- <reason>\", got %q", n, line)
		}
		quoted := strings.ReplaceAll(regexp.QuoteMeta(pattern), `\*`, `.*`)
		list = append(list, intended{line: n, pattern: pattern, re: regexp.MustCompile("^" + quoted + "$"), reason: reason})
	}
	return list, nil
}

// check splits diffs into those no entry explains and the entries that
// explain none (a stale entry: the difference is gone, so is the entry).
func check(diffs []string, list []intended) (unexplained []string, stale []intended) {
	used := make([]bool, len(list))
	for _, d := range diffs {
		explained := false
		for i, e := range list {
			if e.re.MatchString(d) {
				used[i], explained = true, true
			}
		}
		if !explained {
			unexplained = append(unexplained, d)
		}
	}
	for i, e := range list {
		if !used[i] {
			stale = append(stale, e)
		}
	}
	return unexplained, stale
}
