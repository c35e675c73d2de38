package jsontemplate

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"text/template"
)

// data is shaped as the objects kadm prints: JSON decoded into any.
const data = `{
	"kind": "BootstrapToken",
	"apiVersion": "output.kubeadm.k8s.io/v1alpha3",
	"token": {"id": "abcdef", "secret": "<redacted>"},
	"ttl": "24h0m0s",
	"usages": ["authentication", "signing"],
	"groups": [],
	"description": "",
	"count": 3,
	"ratio": 0.5,
	"ok": true,
	"none": null,
	"labels": {"b": "2", "a": "1"},
	"items": [{"name": "ca", "days": 3650}, {"name": "apiserver", "days": 365}]
}`

// templates covers what scripts write in kubectl's go-template format.
var templates = []string{
	`plain text`,
	`{{.kind}}`,
	`{{.token.id}}.{{.token.secret}}`,
	`{{.missing}}|{{.token.missing}}`,
	`{{range .usages}}{{.}},{{end}}`,
	`{{range $i, $u := .usages}}{{$i}}={{$u}} {{end}}`,
	`{{range $k, $v := .labels}}{{$k}}:{{$v}};{{end}}`,
	`{{range .groups}}x{{else}}no groups{{end}}`,
	`{{range .items}}{{.name}} {{.days}}{{"\n"}}{{end}}`,
	`{{if .ok}}yes{{else}}no{{end}} {{if .description}}d{{else if .ttl}}t{{end}}`,
	`{{with .token}}{{.id}}{{end}}{{with .none}}x{{else}}none{{end}}`,
	`{{len .usages}} {{len .labels}} {{len .kind}}`,
	`{{index .usages 1}} {{index .labels "a"}} {{index .items 0 "name"}}`,
	`{{printf "%s/%v" .kind .count}} {{print .count .ok}} {{println .ttl}}`,
	`{{.count}} {{.ratio}} {{.ok}} {{.none}} {{.labels}} {{.usages}}`,
	`{{eq .kind "BootstrapToken"}} {{ne .count 2.0}} {{lt .ratio 1.0}} {{ge .count 3.0}} {{eq .ok true}}`,
	`{{if and .ok .count}}a{{end}}{{if or .description .ttl}}o{{end}}{{if not .description}}n{{end}}`,
	`{{and .description .missing}}|{{or .description "fallback"}}`,
	`{{$k := .kind}}{{$k}} {{$k = "x"}}{{$k}}`,
	`{{.token | printf "%v"}} {{"a" | printf "%s-%s" "b"}}`,
	`{{(index .items 1).name}}`,
	`{{range .items}}{{if eq .name "ca"}}{{continue}}{{end}}{{.name}}{{end}}`,
	`{{range .items}}{{.name}}{{break}}{{end}}`,
	`{{define "row"}}[{{.name}}]{{end}}{{range .items}}{{template "row" .}}{{end}}`,
	`{{/* a comment */}}after`,
	`{{- .kind -}} trimmed {{- .ttl}}`,
	`{{range $.items}}{{$.kind}}{{end}}`,
	`{{.kind.sub}}`,
	`{{.none.sub}}`,
	`{{range .kind}}x{{end}}`,
	`{{index .usages 9}}`,
	`{{len .count}}`,
	`{{lt .kind 1}}`,
	`{{print .missing}}|{{print .none}}|{{printf "%v" .none}}`,
	`{{.none | print}}`,
}

func TestAgainstTextTemplate(t *testing.T) {
	t.Parallel()
	var obj any
	if err := json.Unmarshal([]byte(data), &obj); err != nil {
		t.Fatal(err)
	}
	for _, missingKeyError := range []bool{false, true} {
		for _, text := range templates {
			want, wantErr := runTextTemplate(text, obj, missingKeyError)
			got, gotErr := run(t, text, obj, missingKeyError)
			switch {
			case wantErr != nil && gotErr == nil:
				t.Errorf("%q (missingkey=error %v): text/template fails (%v), jsontemplate prints %q", text, missingKeyError, wantErr, got)
			case wantErr == nil && gotErr != nil:
				t.Errorf("%q (missingkey=error %v): text/template prints %q, jsontemplate fails: %v", text, missingKeyError, want, gotErr)
			case wantErr == nil && got != want:
				t.Errorf("%q (missingkey=error %v):\n got %q\nwant %q (text/template)", text, missingKeyError, got, want)
			}
		}
	}
}

func runTextTemplate(text string, obj any, missingKeyError bool) (string, error) {
	opt := "missingkey=default"
	if missingKeyError {
		opt = "missingkey=error"
	}
	tmpl, err := template.New("t").Option(opt).Parse(text)
	if err != nil {
		return "", err
	}
	var b bytes.Buffer
	err = tmpl.Execute(&b, obj)
	return b.String(), err
}

func run(t *testing.T, text string, obj any, missingKeyError bool) (string, error) {
	t.Helper()
	tmpl, err := Parse("t", text, nil)
	if err != nil {
		return "", err
	}
	var b bytes.Buffer
	err = tmpl.MissingKeyError(missingKeyError).Execute(&b, obj)
	return b.String(), err
}

func TestExtraFunctions(t *testing.T) {
	t.Parallel()
	upper := func(args ...any) (any, error) { return strings.ToUpper(args[0].(string)), nil }
	tmpl, err := Parse("t", `{{upper .a}} {{.a | upper}}`, map[string]Func{"upper": upper})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := tmpl.Execute(&b, map[string]any{"a": "x"}); err != nil || b.String() != "X X" {
		t.Errorf("got %q, %v", b.String(), err)
	}
	if _, err := Parse("t", `{{nosuch .a}}`, nil); err == nil {
		t.Error("an unknown function parsed")
	}
}
