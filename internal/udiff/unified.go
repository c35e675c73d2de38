package udiff

import (
	"fmt"
	"strings"
)

// edit is one step of a line diff: keep a line of a, drop it, or add a line of b.
type edit struct {
	kind byte   // ' ' keeps, '-' drops from a, '+' adds from b
	line string // with its "\n", which only a last line may lack
	a, b int    // 0-based position in a and b where the edit applies
}

// Unified renders the change from a (named from) to b (named to) as a unified diff, the
// format people already read in git and patch: only the changed regions, with context
// unchanged lines around each and the line numbers to find them. Equal inputs give "".
func Unified(from, to, a, b string, context int) string {
	edits := diffLines(splitLines(a), splitLines(b))
	hs := hunks(edits, max(context, 0))
	if len(hs) == 0 {
		return ""
	}
	var out strings.Builder
	fmt.Fprintf(&out, "--- %s\n+++ %s\n", from, to)
	for _, h := range hs {
		var aCount, bCount int
		for _, e := range h {
			if e.kind != '+' {
				aCount++
			}
			if e.kind != '-' {
				bCount++
			}
		}
		fmt.Fprintf(&out, "@@ -%s +%s @@\n", hunkRange(h[0].a, aCount), hunkRange(h[0].b, bCount))
		for _, e := range h {
			out.WriteByte(e.kind)
			out.WriteString(e.line)
			if !strings.HasSuffix(e.line, "\n") {
				out.WriteString("\n\\ No newline at end of file\n")
			}
		}
	}
	return out.String()
}

// hunks groups the changes with context lines around each, merging two changes into one
// hunk when their contexts would touch, as diff -u does.
func hunks(edits []edit, context int) [][]edit {
	var changes []int
	for i, e := range edits {
		if e.kind != ' ' {
			changes = append(changes, i)
		}
	}
	var out [][]edit
	for i := 0; i < len(changes); {
		first, last := changes[i], changes[i]
		for i++; i < len(changes) && changes[i]-last <= 2*context+1; i++ {
			last = changes[i]
		}
		out = append(out, edits[max(first-context, 0):min(last+context+1, len(edits))])
	}
	return out
}

// hunkRange writes one side of a hunk header: the 1-based first line and the
// line count, or for an empty side the line it follows, as diff -u does.
func hunkRange(start, count int) string {
	switch count {
	case 0:
		return fmt.Sprintf("%d,0", start)
	case 1:
		return fmt.Sprintf("%d", start+1)
	default:
		return fmt.Sprintf("%d,%d", start+1, count)
	}
}

// diffLines finds a shortest edit script from a to b through their longest
// common subsequence. The common head and tail are matched first, so the
// quadratic table only spans the region that changed.
func diffLines(a, b []string) []edit {
	head := 0
	for head < len(a) && head < len(b) && a[head] == b[head] {
		head++
	}
	tail := 0
	for tail < len(a)-head && tail < len(b)-head && a[len(a)-1-tail] == b[len(b)-1-tail] {
		tail++
	}
	ma, mb := a[head:len(a)-tail], b[head:len(b)-tail]

	// lcs[i][j] is the length of the longest common subsequence of ma[i:] and mb[j:].
	lcs := make([][]int, len(ma)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(mb)+1)
	}
	for i := len(ma) - 1; i >= 0; i-- {
		for j := len(mb) - 1; j >= 0; j-- {
			if ma[i] == mb[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}

	edits := make([]edit, 0, len(a)+len(b))
	for i := range head {
		edits = append(edits, edit{' ', a[i], i, i})
	}
	i, j := 0, 0
	for i < len(ma) || j < len(mb) {
		switch {
		case i < len(ma) && j < len(mb) && ma[i] == mb[j]:
			edits = append(edits, edit{' ', ma[i], head + i, head + j})
			i, j = i+1, j+1
		case i < len(ma) && (j == len(mb) || lcs[i+1][j] >= lcs[i][j+1]):
			edits = append(edits, edit{'-', ma[i], head + i, head + j})
			i++
		default:
			edits = append(edits, edit{'+', mb[j], head + i, head + j})
			j++
		}
	}
	for k := range tail {
		ai, bi := len(a)-tail+k, len(b)-tail+k
		edits = append(edits, edit{' ', a[ai], ai, bi})
	}
	return edits
}

// splitLines cuts s into lines that keep their "\n", so a missing newline at
// the end of the file shows up as a difference instead of vanishing.
func splitLines(s string) []string {
	lines := strings.SplitAfter(s, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}
