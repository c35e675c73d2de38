package config

import (
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
)

func validateDiscovery(errs *fieldErrors, d *Discovery) {
	switch {
	case d.BootstrapToken == nil && d.File == nil:
		errs.add("discovery", "set either bootstrapToken or file")
	case d.BootstrapToken != nil && d.File != nil:
		errs.add("discovery", "bootstrapToken and file are mutually exclusive: set only one")
	}
	if bt := d.BootstrapToken; bt != nil {
		validateTokenDiscovery(errs, bt)
	}
	if f := d.File; f != nil {
		validateKubeConfigPath(errs, f.KubeConfigPath)
	}
	// With a file, the kubeconfig may carry its own credentials, so the TLS bootstrap token
	// is checked only when given; token discovery always needs one (it defaults to the token).
	if d.BootstrapToken != nil || d.TLSBootstrapToken != "" {
		errs.addErr("discovery.tlsBootstrapToken", ValidateToken(d.TLSBootstrapToken))
	}
}

func validateTokenDiscovery(errs *fieldErrors, bt *BootstrapTokenDiscovery) {
	const path = "discovery.bootstrapToken"
	errs.addErr(path+".token", ValidateToken(bt.Token))
	if bt.APIServerEndpoint == "" {
		errs.add(path+".apiServerEndpoint", "required: the host:port of an API server")
	} else if host, port, err := net.SplitHostPort(bt.APIServerEndpoint); err != nil {
		errs.add(path+".apiServerEndpoint", "%q is not host:port: %v", bt.APIServerEndpoint, err)
	} else if host == "" || !validPort(port) {
		errs.add(path+".apiServerEndpoint", "%q needs a host and a port between 1 and 65535", bt.APIServerEndpoint)
	}
	if len(bt.CACertHashes) == 0 && !bt.UnsafeSkipCAVerification {
		errs.add(path+".caCertHashes", "required: without a CA pin, token discovery would trust any server; "+
			"set caCertHashes (--discovery-token-ca-cert-hash) or, knowingly, unsafeSkipCAVerification (--discovery-token-unsafe-skip-ca-verification)")
	}
	for i, h := range bt.CACertHashes {
		errs.addErr(index(path+".caCertHashes", i), ValidateCACertHash(h))
	}
}

// ValidateCACertHash checks a CA public key pin, "sha256:" followed by the hex SHA-256 of the
// CA's Subject Public Key Info, the only hash type kubeadm supports.
func ValidateCACertHash(h string) error {
	format, value, found := strings.Cut(h, ":")
	if !found || strings.Contains(value, ":") {
		return errors.New("expected sha256:<64 hexadecimal characters>")
	}
	if !strings.EqualFold(format, "sha256") {
		return fmt.Errorf("hash type %q is not supported: use sha256:<64 hexadecimal characters>", format)
	}
	if len(value) != 64 {
		return fmt.Errorf("the value after %q must be 64 hexadecimal characters, got %d", format+":", len(value))
	}
	if _, err := hex.DecodeString(value); err != nil {
		return fmt.Errorf("the value after %q must contain only hexadecimal characters", format+":")
	}
	return nil
}

// validateKubeConfigPath accepts a local file (as kubeadm, it must exist) or an https URL:
// plain http could be tampered with on the way, and no other scheme can be fetched.
func validateKubeConfigPath(errs *fieldErrors, p string) {
	const path = "discovery.file.kubeConfigPath"
	if p == "" {
		errs.add(path, "required: a kubeconfig file path or an https:// URL")
		return
	}
	u, err := url.Parse(p)
	if err != nil {
		errs.add(path, "%q is neither a file path nor a valid URL: %v", p, err)
		return
	}
	switch u.Scheme {
	case "":
		if _, err := os.Stat(p); errors.Is(err, os.ErrNotExist) {
			errs.add(path, "%q does not exist: give an existing kubeconfig file or an https:// URL", p)
		}
	case "file":
		if _, err := os.Stat(u.Path); errors.Is(err, os.ErrNotExist) {
			errs.add(path, "%q does not exist", u.Path)
		}
	case "https":
		if u.Host == "" {
			errs.add(path, "%q names no host", p)
		}
	case "http":
		errs.add(path, "%q uses http: use https, since discovery must not be readable or changeable on the way", p)
	default:
		errs.add(path, "%q uses the unsupported scheme %q: give a file path or an https:// URL", p, u.Scheme)
	}
}
