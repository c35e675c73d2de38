package config

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

func TestValidateToken(t *testing.T) {
	t.Parallel()
	tests := []struct {
		token string
		valid bool
		// shown must appear in the error, hidden must not.
		shown, hidden string
	}{
		{token: testToken, valid: true},
		{token: "", shown: "empty"},
		{token: "abcdef.0123456789ABCDEF", shown: `"abcdef.<redacted>"`, hidden: "0123456789ABCDEF"},
		{token: "abcdef.short", shown: "abcdef", hidden: "short"},
		{token: "ABCDEF.0123456789abcdef", shown: "[a-z0-9]{6}.[a-z0-9]{16}", hidden: "0123456789abcdef"},
		{token: "abcdef0123456789abcdef", hidden: "abcdef0123456789abcdef"},
		{token: "abcdef.0123456789abcdef.extra", hidden: "0123456789abcdef"},
	}
	for _, tt := range tests {
		err := ValidateToken(tt.token)
		if tt.valid {
			if err != nil {
				t.Errorf("ValidateToken(valid) = %v", err)
			}
			continue
		}
		if err == nil {
			t.Errorf("ValidateToken(%d chars) accepted an invalid token", len(tt.token))
			continue
		}
		if tt.shown != "" && !strings.Contains(err.Error(), tt.shown) {
			t.Errorf("error %q lacks %q", err, tt.shown)
		}
		if tt.hidden != "" && strings.Contains(err.Error(), tt.hidden) {
			t.Errorf("error %q leaks %q", err, tt.hidden)
		}
	}
}

func TestValidateCertificateKey(t *testing.T) {
	t.Parallel()
	tests := []struct {
		key   string
		valid bool
		shown string
	}{
		{key: testCertKey, valid: true},
		{key: strings.ToUpper(testCertKey), valid: true},
		{key: "", shown: "empty"},
		{key: testCertKey[:62], shown: "got 62 characters"},
		{key: testCertKey + "00", shown: "got 66 characters"},
		{key: "g" + testCertKey[1:], shown: "hexadecimal"},
	}
	for _, tt := range tests {
		err := ValidateCertificateKey(tt.key)
		if tt.valid != (err == nil) {
			t.Errorf("ValidateCertificateKey(%d chars) = %v, want valid=%v", len(tt.key), err, tt.valid)
			continue
		}
		if err == nil {
			continue
		}
		if !strings.Contains(err.Error(), tt.shown) {
			t.Errorf("error %q lacks %q", err, tt.shown)
		}
		if len(tt.key) > 8 && strings.Contains(err.Error(), tt.key[1:9]) {
			t.Errorf("error %q echoes the key", err)
		}
	}
}

func TestBootstrapTokenStringKeepsSecret(t *testing.T) {
	t.Parallel()
	tok, err := NewBootstrapTokenString(testToken)
	if err != nil {
		t.Fatal(err)
	}
	secret := "0123456789abcdef"
	cfg := &InitConfiguration{BootstrapTokens: []BootstrapToken{{Token: tok}}}
	for _, s := range []string{tok.String(), fmt.Sprint(tok), fmt.Sprintf("%v %+v", *tok, cfg.BootstrapTokens)} {
		if strings.Contains(s, secret) {
			t.Errorf("printing a token shows its secret: %s", s)
		}
	}
	if tok.Token() != testToken {
		t.Errorf("Token() = %q", tok.Token())
	}
	b, err := json.Marshal(tok)
	if err != nil || string(b) != `"`+testToken+`"` {
		t.Errorf("MarshalJSON = %s, %v", b, err)
	}
	var back BootstrapTokenString
	if err := json.Unmarshal(b, &back); err != nil || back != *tok {
		t.Errorf("UnmarshalJSON = %+v, %v", back, err)
	}
	if err := json.Unmarshal([]byte(`"abcdef.SECRET"`), &back); err == nil || strings.Contains(err.Error(), "SECRET") {
		t.Errorf("UnmarshalJSON of a bad token = %v", err)
	}
	if err := json.Unmarshal([]byte(`12`), &back); err == nil {
		t.Errorf("UnmarshalJSON accepted a number")
	}
}
