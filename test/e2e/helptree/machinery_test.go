package helptree

import (
	"slices"
	"strings"
	"testing"
)

const sampleHelp = `Run this on any machine you wish to join an existing cluster

The "join [api-server-endpoint]" command executes the following phases:
` + "```" + `
preflight               Run join pre-flight checks
control-plane-prepare   Prepare the machine for serving a control plane
  /download-certs         Download certificates
kubelet-start           Write kubelet settings
` + "```" + `

Usage:
  kubeadm join [api-server-endpoint] [flags]
  kubeadm join [command]

Aliases:
  join, j

Available Commands:
  phase       Use this command to invoke single phase of the "join" workflow

Flags:
      --apiserver-bind-port int32        If the node should host a new control plane instance, the port for the API Server to bind to. (default 6443)
      --discovery-token-ca-cert-hash strings   For token-based discovery, validate the hash.
      --dry-run                          Don't apply any changes; just output what would be done.
      --feature-gates string             A set of key=value pairs that describe feature gates for various features. Options are:
                                         RootlessControlPlane=true|false (ALPHA - default=false)
  -o, --output string                    Output format. (default "text")

Global Flags:
  -v, --v Level              number for the log level verbosity

Use "kubeadm join [command] --help" for more information about a command.
`

func TestParseHelp(t *testing.T) {
	t.Parallel()
	c, err := parseHelp(sampleHelp)
	if err != nil {
		t.Fatal(err)
	}
	if c.usage != "kubeadm join [api-server-endpoint] [flags]" || !slices.Equal(c.aliases, []string{"join", "j"}) || !slices.Equal(c.subs, []string{"phase"}) {
		t.Errorf("usage %q, aliases %v, subcommands %v", c.usage, c.aliases, c.subs)
	}
	if want := []string{"preflight", "control-plane-prepare", "control-plane-prepare/download-certs", "kubelet-start"}; !c.hasPhase || !slices.Equal(c.phases, want) {
		t.Errorf("phases %v, want %v", c.phases, want)
	}
	want := map[string]flag{
		"apiserver-bind-port":          {typ: "int32", def: "6443"},
		"discovery-token-ca-cert-hash": {typ: "strings"},
		"dry-run":                      {},
		"feature-gates":                {typ: "string"},
		"output":                       {shorthand: "o", typ: "string", def: `"text"`},
		"v":                            {shorthand: "v", typ: "Level"},
	}
	if len(c.flags) != len(want) {
		t.Errorf("flags %v, want %v", c.flags, want)
	}
	for name, f := range want {
		if c.flags[name] != f {
			t.Errorf("--%s: %+v, want %+v", name, c.flags[name], f)
		}
	}
}

func TestDifferencesAndIntended(t *testing.T) {
	t.Parallel()
	reference := tree{
		"":     {usage: "kubeadm [command]", flags: map[string]flag{"v": {typ: "Level"}}},
		"join": {usage: "kubeadm join [flags]", phases: []string{"a", "b"}, hasPhase: true, flags: map[string]flag{"token": {typ: "string"}}},
		"gone": {usage: "kubeadm gone"},
	}
	ours := tree{
		"":     {usage: "kubeadm [command]", flags: map[string]flag{"v": {typ: "Level"}, "extra": {}}},
		"join": {usage: "kubeadm join [flags]", phases: []string{"b", "a"}, hasPhase: true, flags: map[string]flag{"token": {typ: "string", def: `"x"`}}},
		"new":  {usage: "kubeadm new"},
	}
	diffs := differences(reference, ours)
	want := []string{
		`command "gone": only in kubeadm`,
		`command "new": only in kadm`,
		`flag " --extra": only in kadm (type bool)`,
		`flag "join --token": kubeadm type string; kadm type string, default "x"`,
		`phases "join": kubeadm [a b], kadm [b a]`,
	}
	if !slices.Equal(diffs, want) {
		t.Fatalf("differences:\n%s\nwant:\n%s", strings.Join(diffs, "\n"), strings.Join(want, "\n"))
	}
	list, err := parseIntended("# comment\n\ncommand \"*\": only in kadm -- a new command\nflag \"join --token\": * -- a default\nphases \"init\": * -- stale\n")
	if err != nil {
		t.Fatal(err)
	}
	unexplained, stale := check(diffs, list)
	if !slices.Equal(unexplained, []string{want[0], want[2], want[4]}) {
		t.Errorf("unexplained %v", unexplained)
	}
	if len(stale) != 1 || stale[0].line != 5 {
		t.Errorf("stale %+v, want the entry of line 5", stale)
	}
	if _, err := parseIntended("command \"x\": only in kadm\n"); err == nil {
		t.Error("an entry without a reason was accepted")
	}
}
