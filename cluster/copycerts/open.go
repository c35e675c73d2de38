package copycerts

import (
	"crypto"
	"errors"
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	certutil "k8s.io/client-go/util/cert"
	"k8s.io/client-go/util/keyutil"
)

// Open decrypts the entries of secret that files name and checks that each
// is the certificate or key it should be and that pairs belong together,
// before anything is written. It returns the plaintext by Entry; empty
// entries (files the uploading node did not have) are left out.
func Open(secret *corev1.Secret, key string, files []File) (map[string][]byte, error) {
	k, err := decodeKey(key)
	if err != nil {
		return nil, err
	}
	opened := map[string][]byte{}
	var short, failed []string
	for _, f := range files {
		sealed, ok := secret.Data[f.Entry]
		if !ok {
			return nil, fmt.Errorf("%w: entry %q is missing: upload the certificates again", ErrInvalidContent, f.Entry)
		}
		if len(sealed) == 0 {
			continue
		}
		plain, err := Decrypt(sealed, k)
		switch {
		case errors.Is(err, errShort):
			short = append(short, f.Entry)
		case errors.Is(err, errOpen):
			failed = append(failed, f.Entry)
		case err != nil:
			return nil, err
		default:
			opened[f.Entry] = plain
		}
	}
	switch {
	case len(short) > 0:
		return nil, fmt.Errorf("%w: %s too short to be encrypted data", ErrTampered, list(short))
	case len(failed) > 0 && len(opened) == 0:
		return nil, fmt.Errorf("%w: it opens none of the %s entries", ErrWrongKey, SecretName)
	case len(failed) > 0:
		return nil, fmt.Errorf("%w: %s fail authentication while the other entries open with the same key", ErrTampered, list(failed))
	}
	if err := validate(files, opened); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidContent, err)
	}
	return opened, nil
}

// validate parses every opened entry and matches each pair's public keys.
func validate(files []File, opened map[string][]byte) error {
	public := map[string]crypto.PublicKey{}
	for _, f := range files {
		data, ok := opened[f.Entry]
		if !ok {
			continue
		}
		pub, err := parse(f.Content, data)
		if err != nil {
			return fmt.Errorf("entry %q: %v", f.Entry, err)
		}
		public[f.Entry] = pub
	}
	for _, f := range files {
		a, okA := public[f.Entry]
		b, okB := public[f.Pair]
		if f.Pair == "" || !okA || !okB {
			continue
		}
		eq, ok := a.(interface{ Equal(crypto.PublicKey) bool })
		if !ok || !eq.Equal(b) {
			return fmt.Errorf("entries %q and %q are not a key pair", f.Entry, f.Pair)
		}
	}
	return nil
}

// parse checks data against what the entry must hold and returns its public key.
func parse(c Content, data []byte) (crypto.PublicKey, error) {
	switch c {
	case Certificate:
		certs, err := certutil.ParseCertsPEM(data)
		if err != nil {
			return nil, fmt.Errorf("not a PEM certificate: %v", err)
		}
		return certs[0].PublicKey, nil
	case PrivateKey:
		key, err := keyutil.ParsePrivateKeyPEM(data)
		if err != nil {
			return nil, errors.New("not a PEM private key")
		}
		signer, ok := key.(crypto.Signer)
		if !ok {
			return nil, fmt.Errorf("unsupported private key type %T", key)
		}
		return signer.Public(), nil
	default:
		keys, err := keyutil.ParsePublicKeysPEM(data)
		if err != nil {
			return nil, fmt.Errorf("not a PEM public key: %v", err)
		}
		return keys[0], nil
	}
}

func list(entries []string) string {
	sort.Strings(entries)
	return "entries " + strings.Join(entries, ", ")
}
