package config

import (
	"errors"
	"strings"
	"testing"
)

// TestValidateBootstrapTokens: `token create` checks its tokens alone,
// with every field error named by its path and no secret in the message.
func TestValidateBootstrapTokens(t *testing.T) {
	t.Parallel()
	tok, err := NewBootstrapTokenString("abcdef.0123456789abcdef")
	if err != nil {
		t.Fatal(err)
	}
	good := BootstrapToken{Token: tok, Usages: DefaultTokenUsages(), Groups: []string{DefaultTokenGroup}}
	if err := ValidateBootstrapTokens([]BootstrapToken{good}); err != nil {
		t.Fatalf("a default token is refused: %v", err)
	}
	bad := good
	bad.Usages = []string{"signing", "teleport"}
	err = ValidateBootstrapTokens([]BootstrapToken{good, bad})
	var verr *ValidationError
	if !errors.As(err, &verr) {
		t.Fatalf("got %v, want a *ValidationError", err)
	}
	for _, want := range []string{`bootstrapTokens[1].usages: "teleport" is not a token usage`, "bootstrapTokens[1].groups"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error lacks %q: %v", want, err)
		}
	}
	if strings.Contains(err.Error(), "0123456789abcdef") {
		t.Errorf("the error shows the secret: %v", err)
	}
}
