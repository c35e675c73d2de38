package config

import (
	"encoding/json"
	"fmt"
	"reflect"

	"go.yaml.in/yaml/v3"
)

// strictDecoder fills Go values from a YAML node tree, walking both together so that every
// unknown field, duplicate field or wrong type is reported with its path and line; a
// YAML-to-JSON decoder would lose the lines. Values are never echoed in problems, since any
// of them may be a secret.
type strictDecoder struct {
	lineOffset int
	problems   []decodeProblem
}

// decodeProblem is one finding, before Parse places it in a file and a document.
type decodeProblem struct {
	line   int
	field  string
	detail string
}

var jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()

// decodeStrict decodes the mapping n into out (a pointer) and returns every problem found.
func decodeStrict(n *yaml.Node, out any, lineOffset int) []decodeProblem {
	d := &strictDecoder{lineOffset: lineOffset}
	d.decode(n, reflect.ValueOf(out).Elem(), "")
	return d.problems
}

func (d *strictDecoder) fail(n *yaml.Node, field, format string, args ...any) {
	d.problems = append(d.problems, decodeProblem{
		line:   n.Line + d.lineOffset,
		field:  field,
		detail: fmt.Sprintf(format, args...),
	})
}

func (d *strictDecoder) decode(n *yaml.Node, v reflect.Value, path string) {
	n = dealias(n)
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		v.SetZero()
		return
	}
	if reflect.PointerTo(v.Type()).Implements(jsonUnmarshaler) {
		d.decodeUnmarshaler(n, v.Addr().Interface().(json.Unmarshaler), path)
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		d.decode(n, v.Elem(), path)
	case reflect.Struct:
		d.decodeStruct(n, v, path)
	case reflect.Slice:
		d.decodeSlice(n, v, path)
	case reflect.Map:
		d.decodeMap(n, v, path)
	case reflect.String:
		if n.Kind != yaml.ScalarNode || !isStringTag(n.Tag) {
			if n.Kind == yaml.ScalarNode {
				d.fail(n, path, "expected a string, got %s: quote the value if it is meant as text", describe(n))
			} else {
				d.fail(n, path, "expected a string, got %s", describe(n))
			}
			return
		}
		v.SetString(n.Value)
	case reflect.Bool:
		b, ok := yamlBool(n)
		if !ok {
			d.fail(n, path, "expected a boolean (true or false), got %s", describe(n))
			return
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		var i int64
		if n.Kind != yaml.ScalarNode || n.Tag != "!!int" || n.Decode(&i) != nil {
			d.fail(n, path, "expected an integer, got %s", describe(n))
			return
		}
		if v.OverflowInt(i) {
			d.fail(n, path, "integer out of range for %s", v.Type())
			return
		}
		v.SetInt(i)
	default:
		d.fail(n, path, "cannot decode into %s", v.Type())
	}
}

func (d *strictDecoder) decodeStruct(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.fail(n, path, "expected a mapping, got %s", describe(n))
		return
	}
	fields := jsonFields(v.Type())
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := dealias(n.Content[i]), n.Content[i+1]
		name, ok := d.key(key, path, seen)
		if !ok {
			continue
		}
		fieldIndex, known := fields[name]
		if !known {
			d.fail(key, joinPath(path, name), "unknown field %q", name)
			continue
		}
		d.decode(val, v.FieldByIndex(fieldIndex), joinPath(path, name))
	}
}

func (d *strictDecoder) decodeMap(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.fail(n, path, "expected a mapping, got %s", describe(n))
		return
	}
	t := v.Type()
	m := reflect.MakeMapWithSize(t, len(n.Content)/2)
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := dealias(n.Content[i]), n.Content[i+1]
		name, ok := d.key(key, path, seen)
		if !ok {
			continue
		}
		elem := reflect.New(t.Elem()).Elem()
		d.decode(val, elem, joinPath(path, name))
		m.SetMapIndex(reflect.ValueOf(name).Convert(t.Key()), elem)
	}
	v.Set(m)
}

// key returns a mapping key's name after rejecting what JSON-based decoding cannot express
// (non-scalar keys, merge keys) and keys given twice.
func (d *strictDecoder) key(key *yaml.Node, path string, seen map[string]int) (string, bool) {
	if key.Kind != yaml.ScalarNode {
		d.fail(key, path, "a mapping key must be a string, got %s", describe(key))
		return "", false
	}
	if key.Tag == "!!merge" {
		d.fail(key, path, "YAML merge keys (<<) are not supported: write the fields out")
		return "", false
	}
	if first, dup := seen[key.Value]; dup {
		d.fail(key, joinPath(path, key.Value), "duplicate field %q (first given on line %d)", key.Value, first+d.lineOffset)
		return "", false
	}
	seen[key.Value] = key.Line
	return key.Value, true
}

func (d *strictDecoder) decodeSlice(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.SequenceNode {
		d.fail(n, path, "expected a list, got %s", describe(n))
		return
	}
	s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	for i, item := range n.Content {
		d.decode(item, s.Index(i), fmt.Sprintf("%s[%d]", path, i))
	}
	v.Set(s)
}

// decodeUnmarshaler hands types with their own JSON form (durations, times, quantities,
// tokens) the JSON equivalent of the node, as the Kubernetes decoders would.
func (d *strictDecoder) decodeUnmarshaler(n *yaml.Node, u json.Unmarshaler, path string) {
	value, err := nodeValue(n)
	if err == nil {
		var b []byte
		if b, err = json.Marshal(value); err == nil {
			err = u.UnmarshalJSON(b)
		}
	}
	if err != nil {
		d.fail(n, path, "invalid value: %v", err)
	}
}
