package main

import (
	"slices"
	"testing"
)

func TestExpandCommand(t *testing.T) {
	t.Parallel()
	env := map[string]string{"A": "--x=1  --y=2", "EMPTY": "", "P": "/p q"}
	for _, tc := range []struct {
		line string
		want []string
	}{
		{"/bin/k $A", []string{"/bin/k", "--x=1", "--y=2"}},
		{"/bin/k $EMPTY $UNSET --z", []string{"/bin/k", "--z"}},
		{"/bin/k ${A}", []string{"/bin/k", "--x=1  --y=2"}},
		{"/bin/k --path=${P}/f", []string{"/bin/k", "--path=/p q/f"}},
		{`/bin/k "a b" 'c d' e\ f`, []string{"/bin/k", "a b", "c d", "e f"}},
		{"/bin/k $$A", []string{"/bin/k", "$A"}},
	} {
		got, err := expandCommand(tc.line, env)
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("expandCommand(%q) = %q, %v, want %q", tc.line, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "$EMPTY", `/bin/k "open`} {
		if got, err := expandCommand(bad, env); err == nil {
			t.Errorf("expandCommand(%q) = %q, want an error", bad, got)
		}
	}
}

func TestParseEnvironmentFile(t *testing.T) {
	t.Parallel()
	got, err := parseEnvironmentFile([]byte("# comment\n; another\n\nA=1\nB = \"two words\"\nexport C='3'\nD=con\\\ntinued\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := [][2]string{{"A", "1"}, {"B", "two words"}, {"C", "3"}, {"D", "continued"}}
	if !slices.Equal(got, want) {
		t.Errorf("parseEnvironmentFile = %q, want %q", got, want)
	}
	for _, bad := range []string{"no equals sign\n", "1A=x\n", "A=\"open\n"} {
		if _, err := parseEnvironmentFile([]byte(bad)); err == nil {
			t.Errorf("parseEnvironmentFile(%q) succeeded", bad)
		}
	}
}
