package workflow

import (
	"fmt"
	"strings"
)

// Help renders the ordered phase list shown at the top of `<cmd> --help`, in
// the layout of kubeadm's reference pages: children are indented two spaces
// per level and named "/child", and descriptions line up per level.
func (w *Workflow[D]) Help(use string) string {
	const offset = 2
	var visible []*node[D]
	width := 0
	walk(w.tree(), func(n *node[D]) {
		if hidden(n) {
			return
		}
		visible = append(visible, n)
		width = max(width, len(listedName(n)))
	})

	var b strings.Builder
	fmt.Fprintf(&b, "The %q command executes the following phases:\n```\n", use)
	for _, n := range visible {
		name := listedName(n)
		b.WriteString(strings.Repeat(" ", offset*n.level))
		b.WriteString(name)
		b.WriteString(strings.Repeat(" ", width-len(name)+offset))
		b.WriteString(n.phase.Short)
		b.WriteString("\n")
	}
	b.WriteString("```")
	return b.String()
}

// hidden reports whether n or any of its ancestors is hidden.
func hidden[D any](n *node[D]) bool {
	for ; n != nil; n = n.parent {
		if n.phase.Hidden {
			return true
		}
	}
	return false
}

func listedName[D any](n *node[D]) string {
	if n.level > 0 {
		return "/" + n.phase.Name
	}
	return n.phase.Name
}
