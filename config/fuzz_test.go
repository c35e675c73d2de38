package config

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// tokenPattern is the bootstrap token form.
var tokenPattern = regexp.MustCompile(`[a-z0-9]{6}\.([a-z0-9]{16})`)

// secretField finds the values of the fields that hold secrets (bootstrap
// tokens, the certificate key) in a config file, however they are written.
var secretField = regexp.MustCompile(`(?i)(token|tlsBootstrapToken|certificateKey)"?\s*:\s*[\["'{ ]*([^\s"'\]\},]+)`)

// FuzzParse feeds arbitrary config files to the strict decoder. What it
// accepts survives Marshal and Parse again unchanged; what it refuses is
// refused with an error that repeats no value of a secret field.
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*", "*.yaml"))
	if err != nil {
		f.Fatal(err)
	}
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("apiVersion: kubeadm.k8s.io/v1beta4\nkind: InitConfiguration\nbootstrapTokens:\n- token: [abcdef.0123456789abcdef]\n"))
	f.Add([]byte("apiVersion: kubeadm.k8s.io/v1beta4\nkind: JoinConfiguration\ndiscovery:\n  tlsBootstrapToken: abcdef.0123456789abcdef\n  bogus: 1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		docs, err := Parse("fuzz.yaml", data)
		if err != nil {
			for _, m := range secretField.FindAllStringSubmatch(string(data), -1) {
				_, secret, found := strings.Cut(m[2], ".")
				if !found {
					secret = m[2]
				}
				if len(secret) >= 8 && strings.Contains(err.Error(), secret) {
					t.Fatalf("the error repeats the value of %s: %v", m[1], err)
				}
			}
			return
		}
		out, err := Marshal(docs)
		if err != nil {
			t.Fatalf("Marshal of what Parse accepted: %v", err)
		}
		again, err := Parse("marshalled", out)
		if err != nil {
			t.Fatalf("Marshal's output does not load: %v\n%s", err, out)
		}
		out2, err := Marshal(again)
		if err != nil || string(out2) != string(out) {
			t.Fatalf("Marshal(Parse(Marshal(x))) differs (%v):\n%s\n---\n%s", err, out, out2)
		}
	})
}

// FuzzBootstrapTokenString: a token is accepted exactly when it has the
// bootstrap token form, then keeps its value and prints without its secret;
// no error shows the secret.
func FuzzBootstrapTokenString(f *testing.F) {
	for _, s := range []string{"abcdef.0123456789abcdef", "ABCDEF.0123456789abcdef", "abcdef.0123456789abcdeF", "abcdef0123456789abcdef", "", ".", "abcdef.", "a.b.c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tok, err := NewBootstrapTokenString(s)
		id, secret, _ := strings.Cut(s, ".")
		if err != nil {
			// The ID may be named; a secret long enough not to occur in the
			// message's own words may not.
			if len(secret) >= 6 && strings.Contains(strings.ReplaceAll(err.Error(), id, ""), secret) {
				t.Fatalf("the error shows the secret %q: %v", secret, err)
			}
			if tokenPattern.MatchString(s) && len(s) == 23 {
				t.Fatalf("a well-formed token was refused: %v", err)
			}
			var fromJSON BootstrapTokenString
			if json.Unmarshal([]byte(jsonQuote(s)), &fromJSON) == nil && fromJSON.Token() != "" {
				t.Fatalf("JSON accepts the token Parse refuses: %q", s)
			}
			return
		}
		if tok.Token() != s || tok.ID+"."+tok.Secret != s {
			t.Fatalf("token %q became %q", s, tok.Token())
		}
		if printed := fmt.Sprintf("%v %+v %s", tok, *tok, tok); strings.Contains(printed, tok.Secret) {
			t.Fatalf("the printed token shows its secret: %s", printed)
		}
		b, err := json.Marshal(tok)
		if err != nil {
			t.Fatal(err)
		}
		var back BootstrapTokenString
		if err := json.Unmarshal(b, &back); err != nil || back != *tok {
			t.Fatalf("JSON round trip: %v, %+v", err, back)
		}
	})
}

func jsonQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
