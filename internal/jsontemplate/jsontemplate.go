// Package jsontemplate executes Go templates (kubectl's go-template output
// format) over JSON-shaped data: maps of strings, slices, strings, float64
// numbers, booleans and nil. It parses with text/template/parse and runs
// the tree itself: text/template's engine calls methods by name through
// reflection, which keeps every exported method of every type in the
// binary, and kadm, which only ever prints JSON values, would pay for that
// in size and start-up memory at every command.
package jsontemplate

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/template/parse"
)

// Func is a function templates may call: it gets the evaluated arguments.
type Func func(args ...any) (any, error)

// Template is a parsed template.
type Template struct {
	name  string
	trees map[string]*parse.Tree
	funcs map[string]Func
	// missingKeyError makes a missing map key an error instead of
	// "<no value>", as text/template's missingkey=error.
	missingKeyError bool
}

// Parse parses text, which may call the built-in functions of Go templates
// that make sense for JSON data (and, or, not, len, index, print, printf,
// println, eq, ne, lt, le, gt, ge) and the extra functions given.
func Parse(name, text string, extra map[string]Func) (*Template, error) {
	funcs := builtins()
	maps.Copy(funcs, extra)
	known := make(map[string]any, len(funcs))
	for n := range funcs {
		known[n] = true
	}
	trees, err := parse.Parse(name, text, "", "", known)
	if err != nil {
		return nil, err
	}
	return &Template{name: name, trees: trees, funcs: funcs}, nil
}

// MissingKeyError makes a missing map key an error, as missingkey=error.
func (t *Template) MissingKeyError(on bool) *Template {
	t.missingKeyError = on
	return t
}

// Execute runs the template with data as dot and writes what it prints.
func (t *Template) Execute(w io.Writer, data any) error {
	tree := t.trees[t.name]
	if tree == nil || tree.Root == nil {
		return fmt.Errorf("template: %q is an incomplete or empty template", t.name)
	}
	s := &state{t: t, w: w, vars: []variable{{"$", data}}}
	return s.walk(data, tree.Root)
}

// noValue is what a missing map key evaluates to; it prints as text/template
// prints a missing key.
type noValue struct{}

func (noValue) String() string { return "<no value>" }

type variable struct {
	name  string
	value any
}

type state struct {
	t    *Template
	w    io.Writer
	vars []variable
	// depth bounds nested template calls.
	depth int
}

var (
	errBreak    = errors.New("break")
	errContinue = errors.New("continue")
)

const maxDepth = 100

func (s *state) walk(dot any, node parse.Node) error {
	switch n := node.(type) {
	case *parse.ListNode:
		for _, c := range n.Nodes {
			if err := s.walk(dot, c); err != nil {
				return err
			}
		}
		return nil
	case *parse.TextNode:
		_, err := s.w.Write(n.Text)
		return err
	case *parse.CommentNode:
		return nil
	case *parse.ActionNode:
		v, err := s.pipeline(dot, n.Pipe)
		if err != nil || len(n.Pipe.Decl) > 0 {
			return err
		}
		return s.print(v)
	case *parse.IfNode:
		return s.branch(dot, n.Pipe, n.List, n.ElseList, false)
	case *parse.WithNode:
		return s.branch(dot, n.Pipe, n.List, n.ElseList, true)
	case *parse.RangeNode:
		return s.walkRange(dot, n)
	case *parse.TemplateNode:
		return s.walkTemplate(dot, n)
	case *parse.BreakNode:
		return errBreak
	case *parse.ContinueNode:
		return errContinue
	}
	return fmt.Errorf("template: unknown node %q", node)
}

func (s *state) print(v any) error {
	switch v.(type) {
	case nil, noValue:
		_, err := io.WriteString(s.w, noValue{}.String())
		return err
	}
	_, err := fmt.Fprint(s.w, v)
	return err
}

// branch runs if and with: list when the pipeline's value is true (as dot
// for with), elseList otherwise.
func (s *state) branch(dot any, pipe *parse.PipeNode, list, elseList *parse.ListNode, with bool) error {
	mark := len(s.vars)
	defer func() { s.vars = s.vars[:mark] }()
	v, err := s.pipeline(dot, pipe)
	if err != nil {
		return err
	}
	switch {
	case truth(v) && with:
		return s.walk(v, list)
	case truth(v):
		return s.walk(dot, list)
	case elseList != nil:
		return s.walk(dot, elseList)
	}
	return nil
}

func (s *state) walkRange(dot any, n *parse.RangeNode) error {
	mark := len(s.vars)
	defer func() { s.vars = s.vars[:mark] }()
	// The range's own variables are declared by each iteration.
	decl := n.Pipe.Decl
	n.Pipe.Decl = nil
	v, err := s.pipeline(dot, n.Pipe)
	n.Pipe.Decl = decl
	if err != nil {
		return err
	}
	body := func(key, elem any) error {
		inner := len(s.vars)
		defer func() { s.vars = s.vars[:inner] }()
		switch len(decl) {
		case 1:
			s.vars = append(s.vars, variable{decl[0].Ident[0], elem})
		case 2:
			s.vars = append(s.vars, variable{decl[0].Ident[0], key}, variable{decl[1].Ident[0], elem})
		}
		err := s.walk(elem, n.List)
		if errors.Is(err, errContinue) {
			return nil
		}
		return err
	}
	ran := false
	switch v := v.(type) {
	case []any:
		for i, e := range v {
			ran = true
			if err := body(i, e); err != nil {
				return ignoreBreak(err)
			}
		}
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(v)) {
			ran = true
			if err := body(k, v[k]); err != nil {
				return ignoreBreak(err)
			}
		}
	case nil, noValue:
	default:
		return fmt.Errorf("range can't iterate over %v", v)
	}
	if !ran && n.ElseList != nil {
		return s.walk(dot, n.ElseList)
	}
	return nil
}

func ignoreBreak(err error) error {
	if errors.Is(err, errBreak) {
		return nil
	}
	return err
}

func (s *state) walkTemplate(dot any, n *parse.TemplateNode) error {
	tree := s.t.trees[n.Name]
	if tree == nil {
		return fmt.Errorf("template: no such template %q", n.Name)
	}
	if s.depth >= maxDepth {
		return fmt.Errorf("template: exceeded maximum template depth (%d)", maxDepth)
	}
	var arg any
	if n.Pipe != nil {
		v, err := s.pipeline(dot, n.Pipe)
		if err != nil {
			return err
		}
		arg = v
	}
	inner := &state{t: s.t, w: s.w, vars: []variable{{"$", arg}}, depth: s.depth + 1}
	return inner.walk(arg, tree.Root)
}

// pipeline evaluates pipe, declaring or assigning its variables.
func (s *state) pipeline(dot any, pipe *parse.PipeNode) (any, error) {
	if pipe == nil {
		return nil, nil
	}
	var v any
	for i, c := range pipe.Cmds {
		var final []any
		if i > 0 {
			final = []any{v}
		}
		var err error
		if v, err = s.command(dot, c, final); err != nil {
			return nil, err
		}
	}
	for _, d := range pipe.Decl {
		name := d.Ident[0]
		if pipe.IsAssign {
			if err := s.assign(name, v); err != nil {
				return nil, err
			}
		} else {
			s.vars = append(s.vars, variable{name, v})
		}
	}
	return v, nil
}

func (s *state) assign(name string, v any) error {
	for i := len(s.vars) - 1; i >= 0; i-- {
		if s.vars[i].name == name {
			s.vars[i].value = v
			return nil
		}
	}
	return fmt.Errorf("undefined variable: %s", name)
}

func (s *state) variable(name string) (any, error) {
	for i := len(s.vars) - 1; i >= 0; i-- {
		if s.vars[i].name == name {
			return s.vars[i].value, nil
		}
	}
	return nil, fmt.Errorf("undefined variable: %s", name)
}

// command evaluates one command of a pipeline; final is the previous
// command's value, which a function gets as its last argument.
func (s *state) command(dot any, c *parse.CommandNode, final []any) (any, error) {
	first := c.Args[0]
	if id, ok := first.(*parse.IdentifierNode); ok {
		return s.call(dot, id.Ident, c.Args[1:], final)
	}
	if len(c.Args) > 1 || len(final) > 0 {
		return nil, fmt.Errorf("can't give argument to non-function %s", first)
	}
	return s.arg(dot, first)
}

func (s *state) call(dot any, name string, argNodes []parse.Node, final []any) (any, error) {
	switch name {
	case "and", "or":
		// Evaluated lazily: the first argument that decides is the value.
		var v any
		all := append(slices.Clone(nodeValues(argNodes)), finalValues(final)...)
		for i, a := range all {
			var err error
			if v, err = a.value(s, dot); err != nil {
				return nil, err
			}
			if i < len(all)-1 && truth(v) == (name == "or") {
				return v, nil
			}
		}
		return v, nil
	}
	fn, ok := s.t.funcs[name]
	if !ok {
		return nil, fmt.Errorf("%q is not a defined function", name)
	}
	args := make([]any, 0, len(argNodes)+len(final))
	for _, a := range argNodes {
		v, err := s.arg(dot, a)
		if err != nil {
			return nil, err
		}
		args = append(args, v)
	}
	args = append(args, final...)
	for i, a := range args {
		// A function gets a missing key as nil, as with text/template.
		if _, ok := a.(noValue); ok {
			args[i] = nil
		}
	}
	v, err := fn(args...)
	if err != nil {
		return nil, fmt.Errorf("error calling %s: %w", name, err)
	}
	return v, nil
}

// lazy is an argument of and/or: a node to evaluate, or a value.
type lazy struct {
	node parse.Node
	v    any
}

func (l lazy) value(s *state, dot any) (any, error) {
	if l.node == nil {
		return l.v, nil
	}
	return s.arg(dot, l.node)
}

func nodeValues(ns []parse.Node) []lazy {
	out := make([]lazy, len(ns))
	for i, n := range ns {
		out[i] = lazy{node: n}
	}
	return out
}

func finalValues(vs []any) []lazy {
	out := make([]lazy, len(vs))
	for i, v := range vs {
		out[i] = lazy{v: v}
	}
	return out
}

func (s *state) arg(dot any, n parse.Node) (any, error) {
	switch n := n.(type) {
	case *parse.DotNode:
		return dot, nil
	case *parse.NilNode:
		return nil, errors.New("nil is not a command")
	case *parse.FieldNode:
		return s.fields(dot, n.Ident)
	case *parse.VariableNode:
		v, err := s.variable(n.Ident[0])
		if err != nil {
			return nil, err
		}
		return s.fields(v, n.Ident[1:])
	case *parse.ChainNode:
		v, err := s.arg(dot, n.Node)
		if err != nil {
			return nil, err
		}
		return s.fields(v, n.Field)
	case *parse.PipeNode:
		mark := len(s.vars)
		defer func() { s.vars = s.vars[:mark] }()
		return s.pipeline(dot, n)
	case *parse.IdentifierNode:
		return s.call(dot, n.Ident, nil, nil)
	case *parse.StringNode:
		return n.Text, nil
	case *parse.BoolNode:
		return n.True, nil
	case *parse.NumberNode:
		switch {
		case n.IsInt:
			return int(n.Int64), nil
		case n.IsFloat:
			return n.Float64, nil
		}
		return nil, fmt.Errorf("number %s is not an integer or a float", n.Text)
	}
	return nil, fmt.Errorf("can't evaluate %s", n)
}

// fields follows a chain of map keys from v.
func (s *state) fields(v any, names []string) (any, error) {
	for _, name := range names {
		switch m := v.(type) {
		case map[string]any:
			e, ok := m[name]
			if !ok {
				if s.t.missingKeyError {
					return nil, fmt.Errorf("map has no entry for key %q", name)
				}
				v = noValue{}
				continue
			}
			v = e
		case nil, noValue:
			return nil, fmt.Errorf("nil pointer evaluating interface {}.%s", name)
		default:
			return nil, fmt.Errorf("can't evaluate field %s in type %T", name, v)
		}
	}
	return v, nil
}

// truth is text/template's: false, 0, "", nil and empty collections are
// false, everything else is true.
func truth(v any) bool {
	switch v := v.(type) {
	case nil, noValue:
		return false
	case bool:
		return v
	case string:
		return v != ""
	case int:
		return v != 0
	case float64:
		return v != 0
	case []any:
		return len(v) > 0
	case map[string]any:
		return len(v) > 0
	}
	return true
}

func builtins() map[string]Func {
	return map[string]Func{
		"and": nil, "or": nil, // evaluated lazily by call
		"not": func(args ...any) (any, error) {
			if len(args) != 1 {
				return nil, fmt.Errorf("wrong number of args for not: want 1 got %d", len(args))
			}
			return !truth(args[0]), nil
		},
		"len":     length,
		"index":   index,
		"print":   func(args ...any) (any, error) { return fmt.Sprint(args...), nil },
		"println": func(args ...any) (any, error) { return fmt.Sprintln(args...), nil },
		"printf": func(args ...any) (any, error) {
			if len(args) == 0 {
				return nil, errors.New("wrong number of args for printf: want at least 1 got 0")
			}
			format, ok := args[0].(string)
			if !ok {
				return nil, fmt.Errorf("printf: the format is %T, not a string", args[0])
			}
			return fmt.Sprintf(format, args[1:]...), nil
		},
		"eq": func(args ...any) (any, error) {
			if len(args) < 2 {
				return nil, errors.New("missing argument for comparison")
			}
			for _, b := range args[1:] {
				if c, err := compare(args[0], b); err != nil {
					return nil, err
				} else if c == 0 {
					return true, nil
				}
			}
			return false, nil
		},
		"ne": ordered(func(c int) bool { return c != 0 }),
		"lt": ordered(func(c int) bool { return c < 0 }),
		"le": ordered(func(c int) bool { return c <= 0 }),
		"gt": ordered(func(c int) bool { return c > 0 }),
		"ge": ordered(func(c int) bool { return c >= 0 }),
	}
}

func ordered(ok func(int) bool) Func {
	return func(args ...any) (any, error) {
		if len(args) != 2 {
			return nil, fmt.Errorf("wrong number of args: want 2 got %d", len(args))
		}
		c, err := compare(args[0], args[1])
		if err != nil {
			return nil, err
		}
		return ok(c), nil
	}
}

// compare orders two basic values: numbers with numbers, strings with
// strings, booleans (equal or not) with booleans.
func compare(a, b any) (int, error) {
	if x, ok := number(a); ok {
		if y, ok := number(b); ok {
			switch {
			case x < y:
				return -1, nil
			case x > y:
				return 1, nil
			}
			return 0, nil
		}
	}
	switch x := a.(type) {
	case string:
		if y, ok := b.(string); ok {
			return strings.Compare(x, y), nil
		}
	case bool:
		if y, ok := b.(bool); ok {
			if x == y {
				return 0, nil
			}
			return 1, nil
		}
	case nil:
		if b == nil {
			return 0, nil
		}
	}
	return 0, fmt.Errorf("incompatible types for comparison: %T and %T", a, b)
}

func number(v any) (float64, bool) {
	switch v := v.(type) {
	case int:
		return float64(v), true
	case float64:
		return v, true
	}
	return 0, false
}

func length(args ...any) (any, error) {
	if len(args) != 1 {
		return nil, fmt.Errorf("wrong number of args for len: want 1 got %d", len(args))
	}
	switch v := args[0].(type) {
	case string:
		return len(v), nil
	case []any:
		return len(v), nil
	case map[string]any:
		return len(v), nil
	}
	return nil, fmt.Errorf("len of type %T", args[0])
}

func index(args ...any) (any, error) {
	if len(args) == 0 {
		return nil, errors.New("wrong number of args for index: want at least 1 got 0")
	}
	v := args[0]
	for _, k := range args[1:] {
		switch c := v.(type) {
		case map[string]any:
			key, ok := k.(string)
			if !ok {
				return nil, fmt.Errorf("value has type %T; should be string", k)
			}
			e, ok := c[key]
			if !ok {
				v = nil
				continue
			}
			v = e
		case []any:
			n, ok := k.(int)
			if !ok {
				if f, isFloat := k.(float64); isFloat && f == float64(int(f)) {
					n, ok = int(f), true
				}
			}
			if !ok {
				return nil, fmt.Errorf("cannot index slice/array with type %T", k)
			}
			if n < 0 || n >= len(c) {
				return nil, fmt.Errorf("index out of range: %d", n)
			}
			v = c[n]
		case nil:
			return nil, errors.New("index of untyped nil")
		default:
			return nil, fmt.Errorf("can't index item of type %T", v)
		}
	}
	return v, nil
}
