package app

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/spf13/pflag"
	"sigs.k8s.io/yaml"

	"github.com/kadm-project/kadm/phases/options"
)

// outputAPIVersion is the API of kubeadm's structured output; scripts read
// the kind and apiVersion of what `-o json|yaml` prints.
const outputAPIVersion = "output.kubeadm.k8s.io/v1alpha3"

// Output formats of the commands that print objects.
const (
	outputText = "text"
	outputJSON = "json"
	outputYAML = "yaml"
)

func addOutputFlag(f *pflag.FlagSet, output *string) {
	f.StringVarP(output, options.Output, "o", outputText, "Output format. One of: text|json|yaml.")
}

func checkOutput(output string) error {
	switch output {
	case outputText, outputJSON, outputYAML:
		return nil
	}
	return usagef("--%s %q: unsupported output format: use %s, %s or %s", options.Output, output, outputText, outputJSON, outputYAML)
}

// printObject writes obj as kubectl's printers do, which kubeadm uses: JSON
// indented by four spaces; YAML with "---" before every object but the first.
func printObject(w io.Writer, output string, obj any, first bool) error {
	if output == outputJSON {
		b, err := json.MarshalIndent(obj, "", "    ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "%s\n", b)
		return err
	}
	b, err := yaml.Marshal(obj)
	if err != nil {
		return err
	}
	if !first {
		fmt.Fprint(w, "---\n")
	}
	_, err = w.Write(b)
	return err
}
