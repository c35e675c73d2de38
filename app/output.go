package app

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/spf13/pflag"
	"k8s.io/client-go/util/jsonpath"
	"sigs.k8s.io/yaml"
	"sigs.k8s.io/yaml/kyaml"

	"github.com/kadm-project/kadm/internal/jsontemplate"
	"github.com/kadm-project/kadm/phases/options"
)

// outputAPIVersion is the API of kubeadm's structured output; scripts read
// the kind and apiVersion of what `-o json|yaml` prints.
const outputAPIVersion = "output.kubeadm.k8s.io/v1alpha3"

// outputText is the table or line a command prints for a person; every
// other format prints kubeadm's output objects.
const outputText = "text"

// outputFormats are kubeadm's -o formats (kubectl's printers), in its order;
// those that end in "=" take a template or a template file.
var outputFormats = []string{outputText, "json", "yaml", "kyaml", "go-template=", "go-template-file=", "template=", "templatefile=",
	"jsonpath=", "jsonpath-as-json=", "jsonpath-file="}

func formatNames() []string {
	names := make([]string, len(outputFormats))
	for i, f := range outputFormats {
		names[i] = strings.TrimSuffix(f, "=")
	}
	return names
}

// printFlags are kubeadm's flags of the commands that print output objects
// (token list, certs check-expiration).
type printFlags struct {
	output           string
	allowMissingKeys bool
	// showManagedFields is accepted as kubeadm's: its output objects, and
	// so kadm's, carry no managedFields to show or hide.
	showManagedFields bool
}

func addPrintFlags(f *pflag.FlagSet, p *printFlags) {
	f.StringVarP(&p.output, options.Output, "o", outputText, "Output format. One of: "+strings.Join(formatNames(), "|")+".")
	f.BoolVar(&p.allowMissingKeys, options.AllowMissingTemplateKeys, true,
		"If true, ignore any errors in templates when a field or map key is missing in the template. Only applies to golang and jsonpath output formats.")
	f.BoolVar(&p.showManagedFields, options.ShowManagedFields, false, "If true, keep the managedFields when printing objects in JSON or YAML format.")
}

// text reports whether the command prints its text form.
func (p *printFlags) text() bool { return p.output == outputText }

// printer is one output format with its template, if it has one.
type printer struct {
	format string
	tmpl   *jsontemplate.Template
	path   *jsonpath.JSONPath
}

// printer checks -o and parses its template, before the command does any
// work: a bad format or template is a usage error.
func (p *printFlags) printer() (*printer, error) {
	format, arg, hasArg := strings.Cut(p.output, "=")
	i := slices.IndexFunc(outputFormats, func(f string) bool { return strings.TrimSuffix(f, "=") == format })
	templated := i >= 0 && strings.HasSuffix(outputFormats[i], "=")
	switch {
	case i < 0 || hasArg && !templated:
		return nil, usagef("--%s %q: unsupported output format: use one of %s", options.Output, p.output, strings.Join(formatNames(), ", "))
	case templated && arg == "":
		return nil, usagef("--%s %s needs a template: write it after \"=\", e.g. -o %s='{.kind}'", options.Output, format, format)
	}
	pr := &printer{format: format}
	if strings.HasSuffix(format, "file") {
		data, err := os.ReadFile(arg)
		if err != nil {
			return nil, usagef("--%s %s: read the template: %v", options.Output, format, err)
		}
		arg = string(data)
	}
	switch format {
	case "go-template", "go-template-file", "template", "templatefile":
		t, err := jsontemplate.Parse("output", arg, map[string]jsontemplate.Func{"exists": templateExists, "base64decode": base64decode})
		if err != nil {
			return nil, usagef("--%s %s: %v", options.Output, format, err)
		}
		pr.tmpl = t.MissingKeyError(!p.allowMissingKeys)
	case "jsonpath", "jsonpath-as-json", "jsonpath-file":
		pr.path = jsonpath.New("output").AllowMissingKeys(p.allowMissingKeys)
		if err := pr.path.Parse(arg); err != nil {
			return nil, usagef("--%s %s: %v", options.Output, format, err)
		}
		pr.path.EnableJSONOutput(format == "jsonpath-as-json")
	}
	return pr, nil
}

// print writes obj as kubectl's printers do, which kubeadm uses: JSON
// indented by four spaces; YAML with "---" before every object but the
// first; KYAML with its own header before each; templates executed on the
// object's JSON form.
func (p *printer) print(w io.Writer, obj any, first bool) error {
	switch p.format {
	case "json":
		// Unescaped, so that a redacted token reads "abcdef.<redacted>".
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "    ")
		return enc.Encode(obj)
	case "yaml":
		b, err := yaml.Marshal(obj)
		if err != nil {
			return err
		}
		if !first {
			fmt.Fprint(w, "---\n")
		}
		_, err = w.Write(b)
		return err
	case "kyaml":
		return (&kyaml.Encoder{}).FromObject(obj, w)
	}
	b, err := json.Marshal(obj)
	if err != nil {
		return err
	}
	var data any
	if err := json.Unmarshal(b, &data); err != nil {
		return err
	}
	// A template that fails half-way leaves nothing behind.
	var out bytes.Buffer
	if p.tmpl != nil {
		err = p.tmpl.Execute(&out, data)
	} else {
		err = p.path.Execute(&out, data)
	}
	if err != nil {
		return fmt.Errorf("--%s %s: %w", options.Output, p.format, err)
	}
	_, err = w.Write(out.Bytes())
	return err
}

// templateExists is the template function of kubectl's go-template printer:
// whether the keys and indexes lead to a value in the item (its first
// argument).
func templateExists(args ...any) (any, error) {
	if len(args) == 0 {
		return nil, fmt.Errorf("exists needs an item")
	}
	v := args[0]
	for _, i := range args[1:] {
		switch c := v.(type) {
		case map[string]any:
			key, ok := i.(string)
			if !ok {
				return false, nil
			}
			if v, ok = c[key]; !ok {
				return false, nil
			}
		case []any:
			n, ok := i.(int)
			if !ok || n < 0 || n >= len(c) {
				return false, nil
			}
			v = c[n]
		case string:
			n, ok := i.(int)
			if !ok || n < 0 || n >= len(c) {
				return false, nil
			}
			v = c[n]
		default:
			return false, nil
		}
	}
	// A key that is there counts, even with a null value.
	return len(args) > 1 || v != nil, nil
}

// base64decode is the template function of kubectl's go-template printer.
func base64decode(args ...any) (any, error) {
	if len(args) != 1 {
		return nil, fmt.Errorf("base64decode needs one argument, got %d", len(args))
	}
	s, ok := args[0].(string)
	if !ok {
		return nil, fmt.Errorf("base64decode needs a string, got %T", args[0])
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return "", fmt.Errorf("base64 decode failed: %w", err)
	}
	return string(b), nil
}
