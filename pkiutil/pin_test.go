package pkiutil

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"regexp"
	"strings"
	"testing"
)

func TestPublicKeyPin(t *testing.T) {
	t.Parallel()
	// The fixture's pin was computed with openssl, as the kubeadm docs do:
	//   openssl x509 -in pin-fixture.crt -pubkey -noout |
	//     openssl pkey -pubin -outform der | openssl dgst -sha256 -hex
	fixture, err := LoadCert("testdata", "pin-fixture")
	if err != nil {
		t.Fatal(err)
	}
	const opensslPin = "sha256:616eff10fc54b6611de33eeb01eaa2a88eb1b89a4f8c235a58b1a396b597b57c"
	if got := PublicKeyPin(fixture); got != opensslPin {
		t.Errorf("pin of the openssl fixture is %s, want %s", got, opensslPin)
	}

	// A fresh CA: the pin must equal the hash of its public key marshalled
	// again, not merely of the bytes the certificate carries.
	ca, key := testCA(t)
	der, err := x509.MarshalPKIXPublicKey(key.Public())
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(der)
	if got, want := PublicKeyPin(ca), "sha256:"+hex.EncodeToString(sum[:]); got != want {
		t.Errorf("pin %s, want %s", got, want)
	}
}

func TestParsePin(t *testing.T) {
	t.Parallel()
	const hex64 = "3b793efefe27a19f93b0fbe6e637e9c41d0dde8a377d6ab1c0f656bf1136dd8a"
	tests := []struct {
		name    string
		in      string
		want    string
		wantErr string
	}{
		{name: "lower case", in: "sha256:" + hex64, want: "sha256:" + hex64},
		{name: "upper case is normalised", in: "SHA256:" + strings.ToUpper(hex64), want: "sha256:" + hex64},
		{name: "missing algorithm", in: hex64, wantErr: "expected sha256:<64 hexadecimal characters>"},
		{name: "two colons", in: "sha256:ab:" + hex64, wantErr: "expected sha256:<64 hexadecimal characters>"},
		{name: "other algorithm", in: "md5:" + hex64, wantErr: `hash type "md5" is not supported`},
		{name: "short", in: "sha256:abcd", wantErr: "must be 64 hexadecimal characters, got 4"},
		{name: "not hex", in: "sha256:" + strings.Repeat("z", 64), wantErr: "only hexadecimal characters"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParsePin(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("ParsePin(%q) error %v, want one containing %q", tc.in, err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("ParsePin(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
		})
	}
}

// TestParsePinOfPublicKeyPin checks that a printed pin parses to itself.
func TestParsePinOfPublicKeyPin(t *testing.T) {
	t.Parallel()
	ca, _ := testCA(t)
	pin := PublicKeyPin(ca)
	if got, err := ParsePin(pin); err != nil || got != pin {
		t.Errorf("ParsePin(PublicKeyPin) = %q, %v; want %q", got, err, pin)
	}
}

// FuzzParsePin: a pin is accepted exactly when it is sha256: (any case) and
// 64 hex digits, and comes back in PublicKeyPin's form, which it accepts
// unchanged.
func FuzzParsePin(f *testing.F) {
	for _, s := range []string{
		"sha256:" + strings.Repeat("ab", 32), "SHA256:" + strings.Repeat("AB", 32), "sha256:" + strings.Repeat("a", 63),
		"md5:" + strings.Repeat("0", 32), "sha256::" + strings.Repeat("0", 63), strings.Repeat("0", 64), "",
	} {
		f.Add(s)
	}
	valid := regexp.MustCompile(`^(?i:sha256):[0-9a-fA-F]{64}$`)
	f.Fuzz(func(t *testing.T, s string) {
		pin, err := ParsePin(s)
		if (err == nil) != valid.MatchString(s) {
			t.Fatalf("ParsePin(%q) = %q, %v", s, pin, err)
		}
		if err != nil {
			return
		}
		if !strings.EqualFold(pin, s) || pin != strings.ToLower(pin) || !strings.HasPrefix(pin, "sha256:") {
			t.Fatalf("ParsePin(%q) = %q, want the same pin in PublicKeyPin's form", s, pin)
		}
		if again, err := ParsePin(pin); err != nil || again != pin {
			t.Fatalf("ParsePin(%q) = %q, %v; want it unchanged", pin, again, err)
		}
	})
}
