package config

import (
	"bytes"
	"errors"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

// rawDocument is one "---"-separated document and where it sits in its file.
type rawDocument struct {
	number    int // among the non-empty documents, from 1
	firstLine int // line of the file its first byte is on, from 1
	data      []byte
}

// splitDocuments cuts a file at separator lines, as Kubernetes' YAML reader does, keeping each
// document's bytes (component configs are passed on verbatim) and its first line (so that
// errors point at the file's lines). Documents with nothing but comments are dropped.
func splitDocuments(data []byte) []rawDocument {
	var (
		docs  []rawDocument
		cur   []byte
		first = 1
	)
	flush := func() {
		if hasContent(cur) {
			docs = append(docs, rawDocument{number: len(docs) + 1, firstLine: first, data: cur})
		}
	}
	for i, line := range bytes.SplitAfter(data, []byte("\n")) {
		if isSeparator(line) {
			flush()
			cur, first = nil, i+2
			continue
		}
		cur = append(cur, line...)
	}
	flush()
	return docs
}

// isSeparator accepts "---" alone or followed by a comment; "--- value" starts a document
// with content, which the YAML parser then reports.
func isSeparator(line []byte) bool {
	rest, ok := bytes.CutPrefix(line, []byte("---"))
	if !ok {
		return false
	}
	rest = bytes.TrimSpace(rest)
	return len(rest) == 0 || rest[0] == '#'
}

func hasContent(doc []byte) bool {
	for _, line := range strings.Split(string(doc), "\n") {
		t := strings.TrimSpace(line)
		if t != "" && t != "..." && !strings.HasPrefix(t, "#") && !strings.HasPrefix(t, "%") {
			return true
		}
	}
	return false
}

// yamlLine finds the line number the YAML parser puts in its messages.
var yamlLine = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^yaml: line (\d+): (.*)$`) })

// yamlParserProblems are the YAML parser's (not scanner's) messages. For those the YAML
// library prints a 0-based line, one less than the line a person counts.
var yamlParserProblems = []string{
	"did not find expected <document start>", "did not find expected node content",
	"did not find expected '-' indicator", "did not find expected key",
	"did not find expected ',' or ']'", "did not find expected ',' or '}'",
}

// syntaxErrorLine returns the 1-based line, within doc, of a YAML syntax error, and its message.
func syntaxErrorLine(err error, doc []byte) (int, string) {
	m := yamlLine().FindStringSubmatch(err.Error())
	if m == nil {
		return 1, strings.TrimPrefix(err.Error(), "yaml: ")
	}
	line, _ := strconv.Atoi(m[1])
	if slices.Contains(yamlParserProblems, m[2]) {
		line++
	}
	return min(max(line, 1), bytes.Count(doc, []byte("\n"))+1), m[2]
}

// parseYAML parses one document, reporting syntax errors at their line in the file.
func (p *parser) parseYAML(raw rawDocument) (*yaml.Node, bool) {
	dec := yaml.NewDecoder(strings.NewReader(string(raw.data)))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		line, msg := syntaxErrorLine(err, raw.data)
		p.fail(raw, "", line+raw.firstLine-1, "", "invalid YAML: %s", msg)
		return nil, false
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case errors.Is(err, io.EOF):
	case err != nil:
		line, msg := syntaxErrorLine(err, raw.data)
		p.fail(raw, "", line+raw.firstLine-1, "", "invalid YAML: %s", msg)
		return nil, false
	default:
		p.fail(raw, "", extra.Line+raw.firstLine-1, "", "a second document starts here: put each --- separator on a line of its own")
		return nil, false
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = dealias(root.Content[0])
	}
	if root.Kind != yaml.MappingNode {
		p.fail(raw, "", root.Line+raw.firstLine-1, "", "expected a mapping with apiVersion and kind, got %s", describe(root))
		return nil, false
	}
	return root, true
}

// header reads apiVersion and kind, which decide how the rest of the document is decoded.
func (p *parser) header(raw rawDocument, root *yaml.Node) (header, bool) {
	var h header
	ok := true
	for _, f := range []struct {
		name string
		dst  *string
		line *int
	}{{"apiVersion", &h.apiVersion, &h.apiVersionLine}, {"kind", &h.kind, &h.kindLine}} {
		v := mappingValue(root, f.name)
		switch {
		case v == nil:
			p.fail(raw, "", root.Line+raw.firstLine-1, f.name, "missing %s: every document needs apiVersion and kind", f.name)
			ok = false
		case v.Kind != yaml.ScalarNode || v.Tag != "!!str" || v.Value == "":
			p.fail(raw, "", v.Line+raw.firstLine-1, f.name, "%s must be a non-empty string", f.name)
			ok = false
		default:
			*f.dst, *f.line = v.Value, v.Line+raw.firstLine-1
		}
	}
	return h, ok
}

func mappingValue(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if k := dealias(m.Content[i]); k.Kind == yaml.ScalarNode && k.Value == key {
			return dealias(m.Content[i+1])
		}
	}
	return nil
}

// header is what identifies a document before its body is decoded.
type header struct {
	apiVersion, kind         string
	apiVersionLine, kindLine int // in the file
}
