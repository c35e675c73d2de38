package config

import (
	"fmt"
	"reflect"
	"strings"

	"go.yaml.in/yaml/v3"
)

// nodeValue converts a node to the plain value a YAML-to-JSON conversion would produce.
func nodeValue(n *yaml.Node) (any, error) {
	n = dealias(n)
	switch n.Kind {
	case yaml.SequenceNode:
		list := make([]any, 0, len(n.Content))
		for _, item := range n.Content {
			v, err := nodeValue(item)
			if err != nil {
				return nil, err
			}
			list = append(list, v)
		}
		return list, nil
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			v, err := nodeValue(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			m[dealias(n.Content[i]).Value] = v
		}
		return m, nil
	}
	var v any
	switch n.Tag {
	case "!!null":
		return nil, nil
	case "!!bool":
		v = new(bool)
	case "!!int":
		v = new(int64)
	case "!!float":
		v = new(float64)
	default:
		return n.Value, nil
	}
	if err := n.Decode(v); err != nil {
		return nil, fmt.Errorf("cannot read %s", describe(n))
	}
	return reflect.ValueOf(v).Elem().Interface(), nil
}

// jsonFields maps each JSON name of struct type t to its field index, descending into
// embedded structs that have no name of their own, as encoding/json does.
func jsonFields(t reflect.Type) map[string][]int {
	fields := map[string][]int{}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			for sub, idx := range jsonFields(f.Type) {
				fields[sub] = append([]int{i}, idx...)
			}
			continue
		}
		if name == "" {
			name = f.Name
		}
		fields[name] = []int{i}
	}
	return fields
}

func dealias(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// isStringTag accepts the scalar tags a JSON-based decoder would hand a string field.
func isStringTag(tag string) bool {
	return tag == "!!str" || tag == "!!timestamp" || tag == "!!binary"
}

// yamlBool also accepts YAML 1.1 words (yes, on, ...) when unquoted, because kubeadm's
// YAML 1.1 parser reads them as booleans.
func yamlBool(n *yaml.Node) (bool, bool) {
	if n.Kind != yaml.ScalarNode {
		return false, false
	}
	if n.Tag == "!!bool" {
		var b bool
		return b, n.Decode(&b) == nil
	}
	if n.Tag != "!!str" || n.Style != 0 {
		return false, false
	}
	switch n.Value {
	case "y", "Y", "yes", "Yes", "YES", "on", "On", "ON":
		return true, true
	case "n", "N", "no", "No", "NO", "off", "Off", "OFF":
		return false, true
	}
	return false, false
}

// describe names a node's kind without its value, which may be secret.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	switch {
	case strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!"):
		return "a value tagged " + n.Tag
	}
	switch n.Tag {
	case "!!null":
		return "null"
	case "!!bool":
		return "a boolean"
	case "!!int", "!!float":
		return "a number"
	}
	return "a string"
}

func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}
