package copycerts

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/kadm-project/kadm/config"
)

func TestNewCertificateKey(t *testing.T) {
	t.Parallel()
	a, err := NewCertificateKey()
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewCertificateKey()
	if err != nil {
		t.Fatal(err)
	}
	if err := config.ValidateCertificateKey(a); err != nil {
		t.Errorf("new key is not a valid --certificate-key: %v", err)
	}
	if a == b {
		t.Error("two keys are equal")
	}
}

func TestEncryptDecrypt(t *testing.T) {
	t.Parallel()
	key, _ := hex.DecodeString(testKey)
	other := bytes.Repeat([]byte{7}, 32)
	sealed, err := Encrypt([]byte("secret CA key"), key)
	if err != nil {
		t.Fatal(err)
	}
	tampered := bytes.Clone(sealed)
	tampered[len(tampered)-1] ^= 1
	tests := []struct {
		name    string
		sealed  []byte
		key     []byte
		want    string
		wantErr error
	}{
		{"round trip", sealed, key, "secret CA key", nil},
		{"wrong key", sealed, other, "", errOpen},
		{"altered byte", tampered, key, "", errOpen},
		{"too short", sealed[:20], key, "", errShort},
		{"AES-128 key refused", sealed, key[:16], "", ErrMalformedKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Decrypt(tt.sealed, tt.key)
			if !errors.Is(err, tt.wantErr) || string(got) != tt.want {
				t.Errorf("Decrypt = %q, %v; want %q, %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

// TestKubeadmLayout opens data sealed the way kubeadm seals it (AES-GCM,
// random nonce prepended, no additional data) and checks the reverse.
func TestKubeadmLayout(t *testing.T) {
	t.Parallel()
	key, _ := hex.DecodeString(testKey)
	block, err := aes.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		t.Fatal(err)
	}
	nonce := bytes.Repeat([]byte{1}, gcm.NonceSize())
	theirs := gcm.Seal(bytes.Clone(nonce), nonce, []byte("from kubeadm"), nil)
	if got, err := Decrypt(theirs, key); err != nil || string(got) != "from kubeadm" {
		t.Errorf("Decrypt(kubeadm data) = %q, %v", got, err)
	}
	ours, err := Encrypt([]byte("from kadm"), key)
	if err != nil {
		t.Fatal(err)
	}
	n := gcm.NonceSize()
	if got, err := gcm.Open(nil, ours[:n], ours[n:], nil); err != nil || string(got) != "from kadm" {
		t.Errorf("kubeadm-style open of kadm data = %q, %v", got, err)
	}
}
