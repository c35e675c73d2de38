package app

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPrinter(t *testing.T) {
	t.Parallel()
	tmpl := filepath.Join(t.TempDir(), "tmpl")
	if err := os.WriteFile(tmpl, []byte(`{{.token}}|`), 0o600); err != nil {
		t.Fatal(err)
	}
	objs := []tokenObject{
		{Kind: "BootstrapToken", APIVersion: outputAPIVersion, Token: "abcdef.<redacted>", Usages: []string{"signing"}},
		{Kind: "BootstrapToken", APIVersion: outputAPIVersion, Token: "ghijkl.<redacted>"},
	}
	tests := []struct {
		output       string
		allowMissing bool
		want         string
	}{
		{"json", true, "{\n    \"kind\": \"BootstrapToken\",\n    \"apiVersion\": \"output.kubeadm.k8s.io/v1alpha3\",\n    \"token\": \"abcdef.<redacted>\",\n    \"usages\": [\n        \"signing\"\n    ]\n}\n{\n"},
		{"yaml", true, "apiVersion: output.kubeadm.k8s.io/v1alpha3\nkind: BootstrapToken\ntoken: abcdef.<redacted>\nusages:\n- signing\n---\napiVersion:"},
		{"kyaml", true, "---\n{\n  kind: \"BootstrapToken\",\n  apiVersion: \"output.kubeadm.k8s.io/v1alpha3\",\n  token: \"abcdef.<redacted>\",\n  usages: [\n    \"signing\",\n  ],\n}\n---\n{\n"},
		{"go-template={{.token}} {{.description}}|", true, "abcdef.<redacted> <no value>|ghijkl.<redacted> <no value>|"},
		{`template={{if exists . "usages" 0}}{{index .usages 0}}{{else}}none{{end}}|`, true, "signing|none|"},
		{"go-template-file=" + tmpl, true, "abcdef.<redacted>|ghijkl.<redacted>|"},
		{"templatefile=" + tmpl, true, "abcdef.<redacted>|ghijkl.<redacted>|"},
		{"jsonpath={.token} {.description}|", true, "abcdef.<redacted> |ghijkl.<redacted> |"},
		{"jsonpath-as-json={.kind}", true, "[\n    \"BootstrapToken\"\n]\n[\n    \"BootstrapToken\"\n]\n"},
		{`go-template={{base64decode "aGk="}}`, true, "hihi"},
	}
	for _, tt := range tests {
		t.Run(tt.output, func(t *testing.T) {
			t.Parallel()
			pr, err := (&printFlags{output: tt.output, allowMissingKeys: tt.allowMissing}).printer()
			if err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			for i, obj := range objs {
				if err := pr.print(&b, obj, i == 0); err != nil {
					t.Fatal(err)
				}
			}
			if !strings.HasPrefix(b.String(), tt.want) {
				t.Errorf("-o %s printed:\n%q\nwant it to start with:\n%q", tt.output, b.String(), tt.want)
			}
		})
	}
}

func TestPrinterErrors(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ output, want string }{
		{"wide", `--output "wide": unsupported output format: use one of text, json, yaml, kyaml, go-template, go-template-file, template, templatefile, jsonpath, jsonpath-as-json, jsonpath-file`},
		{"json=x", `--output "json=x": unsupported output format`},
		{"jsonpath", "--output jsonpath needs a template"},
		{"go-template=", "--output go-template needs a template"},
		{"go-template={{.x", "--output go-template: template: output:1: unclosed action"},
		{"jsonpath={.x", "--output jsonpath: unclosed action"},
		{"jsonpath-file=/nonexistent/tmpl", "--output jsonpath-file: read the template: open /nonexistent/tmpl"},
	} {
		_, err := (&printFlags{output: tt.output}).printer()
		if !isUsage(err) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("-o %s: %v, want a usage error containing %q", tt.output, err, tt.want)
		}
	}
	for _, tt := range []struct{ output, want string }{
		{"go-template={{.nope.x}}", `map has no entry for key "nope"`},
		{"jsonpath={.nope}", "nope is not found"},
	} {
		pr, err := (&printFlags{output: tt.output}).printer()
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		err = pr.print(&b, tokenObject{Token: "abcdef.<redacted>"}, true)
		if err == nil || !strings.Contains(err.Error(), tt.want) || b.Len() > 0 {
			t.Errorf("-o %s without --allow-missing-template-keys: %v, printed %q; want an error containing %q and nothing printed", tt.output, err, b.String(), tt.want)
		}
	}
}
