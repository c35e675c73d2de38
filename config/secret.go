package config

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	bootstrapapi "k8s.io/cluster-bootstrap/token/api"
	bootstraputil "k8s.io/cluster-bootstrap/token/util"
)

// redacted stands in for a secret in anything a person or a log may see.
const redacted = "<redacted>"

// tokenForm is the token grammar, shown in errors instead of the offending value.
const tokenForm = "[a-z0-9]{6}.[a-z0-9]{16}"

// ValidateToken checks the bootstrap token grammar. Its error never holds the secret part;
// it names the token ID when that part is well-formed, so the user can tell which token is meant.
func ValidateToken(tok string) error {
	if tok == "" {
		return errors.New("bootstrap token is empty: expected the form " + tokenForm)
	}
	if bootstraputil.IsValidBootstrapToken(tok) {
		return nil
	}
	id, _, found := strings.Cut(tok, ".")
	if found && bootstraputil.IsValidBootstrapTokenID(id) {
		return fmt.Errorf("bootstrap token %q is invalid: the secret after the dot must be 16 characters from [a-z0-9]", id+"."+redacted)
	}
	return errors.New("bootstrap token is invalid: expected the form " + tokenForm + " (value not shown: it is a secret)")
}

// ValidateCertificateKey checks that key is a hex-encoded AES-256 key. The error describes
// the problem (length, characters) without ever echoing the key.
func ValidateCertificateKey(key string) error {
	if key == "" {
		return errors.New("certificate key is empty: expected 64 hexadecimal characters")
	}
	decoded, err := hex.DecodeString(key)
	if err != nil {
		return errors.New("certificate key must contain only hexadecimal characters (value not shown: it is a secret)")
	}
	if len(decoded) != CertificateKeySize {
		return fmt.Errorf("certificate key must be %d hexadecimal characters (an AES-256 key), got %d characters", 2*CertificateKeySize, len(key))
	}
	return nil
}

// NewBootstrapTokenString splits a token into ID and secret, refusing malformed ones.
func NewBootstrapTokenString(tok string) (*BootstrapTokenString, error) {
	if err := ValidateToken(tok); err != nil {
		return nil, err
	}
	id, secret, _ := strings.Cut(tok, ".")
	return &BootstrapTokenString{ID: id, Secret: secret}, nil
}

// Token returns the full token, secret included: call it only where the secret is needed.
func (t BootstrapTokenString) Token() string {
	if t.ID == "" || t.Secret == "" {
		return ""
	}
	return bootstraputil.TokenFromIDAndSecret(t.ID, t.Secret)
}

// String keeps the secret out of logs and error messages, even when a whole config is printed with %v.
func (t BootstrapTokenString) String() string {
	if t.ID == "" {
		return ""
	}
	return t.ID + "." + redacted
}

// MarshalJSON writes the full token: the config file format needs it.
func (t BootstrapTokenString) MarshalJSON() ([]byte, error) {
	return json.Marshal(t.Token())
}

// UnmarshalJSON rejects a malformed token at load time, with an error that hides the secret.
func (t *BootstrapTokenString) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return errors.New("a bootstrap token must be a string of the form " + tokenForm)
	}
	if s == "" {
		*t = BootstrapTokenString{}
		return nil
	}
	parsed, err := NewBootstrapTokenString(s)
	if err != nil {
		return err
	}
	*t = *parsed
	return nil
}

// validateTokenGroupName applies the bootstrap group grammar from cluster-bootstrap.
func validateTokenGroupName(group string) error {
	if bootstraputil.BootstrapGroupRegexp.MatchString(group) {
		return nil
	}
	return fmt.Errorf("group %q must match %s", group, strings.TrimSuffix(strings.TrimPrefix(bootstrapapi.BootstrapGroupPattern, `\A`), `\z`))
}

// knownTokenUsage reports whether usage is one bootstrap tokens support.
func knownTokenUsage(usage string) bool {
	for _, u := range bootstrapapi.KnownTokenUsages {
		if u == usage {
			return true
		}
	}
	return false
}
