package config

import (
	"errors"
	"net"
	"net/url"
	"os"

	"github.com/kadm-project/kadm/pkiutil"
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
	errs.addErr(path+".caCertHashes", CheckCAPinning(bt))
	for i, h := range bt.CACertHashes {
		_, err := pkiutil.ParsePin(h)
		errs.addErr(index(path+".caCertHashes", i), err)
	}
}

// CheckCAPinning is the rule that token discovery pins the cluster CA's key
// unless told, knowingly, not to. Validation reports it against the field;
// discovery checks it again before it trusts any server, whatever built its
// configuration.
func CheckCAPinning(bt *BootstrapTokenDiscovery) error {
	if len(bt.CACertHashes) == 0 && !bt.UnsafeSkipCAVerification {
		return errors.New("required: without a CA pin, token discovery would trust any server; " +
			"set caCertHashes (--discovery-token-ca-cert-hash) or, knowingly, unsafeSkipCAVerification (--discovery-token-unsafe-skip-ca-verification)")
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
