package copycerts

import "errors"

// Download's failures, told apart so that a joining node can say what to do:
// fix the key, create a new Secret, or suspect the data.
var (
	// ErrMalformedKey: the certificate key is not 64 hexadecimal characters.
	ErrMalformedKey = errors.New("malformed certificate key")
	// ErrWrongKey: no entry of the Secret opens with the key.
	ErrWrongKey = errors.New("wrong certificate key")
	// ErrTampered: some entries open with the key and others do not, or an
	// entry is too short to be encrypted data; someone altered the Secret.
	ErrTampered = errors.New("kubeadm-certs data was altered")
	// ErrSecretNotFound: the Secret is gone, most likely deleted with its
	// token two hours after the upload.
	ErrSecretNotFound = errors.New("kubeadm-certs Secret not found")
	// ErrSecretExpired: the Secret's owning token has expired; the garbage
	// collector has not deleted the Secret yet.
	ErrSecretExpired = errors.New("kubeadm-certs Secret expired")
	// ErrInvalidContent: an entry decrypts but is not the certificate or
	// key it should be, a pair does not match, or an entry is missing.
	ErrInvalidContent = errors.New("kubeadm-certs holds invalid certificates or keys")
)
