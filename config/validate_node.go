package config

import (
	"net"
	"net/url"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	netutils "k8s.io/utils/net"
)

func validateNodeRegistration(errs *fieldErrors, n *NodeRegistrationOptions, path string) {
	if n.Name == "" {
		errs.add(path+".name", "required: set nodeRegistration.name or pass --node-name (the host name could not be used)")
	} else {
		for _, msg := range validation.IsDNS1123Subdomain(n.Name) {
			errs.add(path+".name", "%q is not a valid node name: %s", n.Name, msg)
		}
	}
	validateCRISocket(errs, n.CRISocket, path+".criSocket")
	validateTaints(errs, n.Taints, path+".taints")
	validateArgs(errs, n.KubeletExtraArgs, path+".kubeletExtraArgs")
	validatePullPolicy(errs, n.ImagePullPolicy, path+".imagePullPolicy")
	validateIgnorePreflightErrors(errs, n.IgnorePreflightErrors, path+".ignorePreflightErrors")
}

// criSocketScheme is the only endpoint scheme the kubelet accepts on this platform.
func criSocketScheme() string {
	if runtime.GOOS == "windows" {
		return "npipe"
	}
	return "unix"
}

// validateCRISocket accepts an endpoint URL, and also a bare absolute path as kubeadm does
// (InitWarnings/JoinWarnings flag it; CRISocketURL gives the URL to use).
func validateCRISocket(errs *fieldErrors, socket, path string) {
	if socket == "" {
		errs.add(path, "required: no CRI socket was given or detected; set nodeRegistration.criSocket or pass --cri-socket")
		return
	}
	if bareSocketPath(socket) {
		return
	}
	u, err := url.Parse(socket)
	if err != nil {
		errs.add(path, "%q is not a valid URL: %v", socket, err)
		return
	}
	if want := criSocketScheme(); u.Scheme != want {
		errs.add(path, "%q must use the %s:// scheme, got %q", socket, want, u.Scheme)
		return
	}
	if u.Path == "" && u.Opaque == "" {
		errs.add(path, "%q names no socket path", socket)
	}
}

// CRISocketURL returns the endpoint URL for socket, which kubeadm also accepts as a bare path.
func CRISocketURL(socket string) string {
	if bareSocketPath(socket) {
		return criSocketScheme() + "://" + socket
	}
	return socket
}

// bareSocketPath reports a CRI socket given as a path instead of a URL.
func bareSocketPath(socket string) bool {
	return isAbsPath(socket) && !strings.Contains(socket, "://")
}

// validateTaints catches what the API server would otherwise reject only at node registration.
func validateTaints(errs *fieldErrors, taints []corev1.Taint, path string) {
	for i, t := range taints {
		p := index(path, i)
		for _, msg := range validation.IsQualifiedName(t.Key) {
			errs.add(p+".key", "%q is not a valid taint key: %s", t.Key, msg)
		}
		for _, msg := range validation.IsValidLabelValue(t.Value) {
			errs.add(p+".value", "%q is not a valid taint value: %s", t.Value, msg)
		}
		switch t.Effect {
		case corev1.TaintEffectNoSchedule, corev1.TaintEffectPreferNoSchedule, corev1.TaintEffectNoExecute:
		default:
			errs.add(p+".effect", "%q is not a taint effect: use NoSchedule, PreferNoSchedule or NoExecute", t.Effect)
		}
	}
}

func validateArgs(errs *fieldErrors, args []Arg, path string) {
	for i, a := range args {
		if a.Name == "" {
			errs.add(index(path, i)+".name", "required: an argument needs a flag name (without leading dashes)")
		}
	}
}

func validatePullPolicy(errs *fieldErrors, p corev1.PullPolicy, path string) {
	switch p {
	case "", corev1.PullAlways, corev1.PullIfNotPresent, corev1.PullNever:
	default:
		errs.add(path, "%q is not an image pull policy: use Always, IfNotPresent or Never", p)
	}
}

// validateIgnorePreflightErrors applies kubeadm's rule that "all" stands alone; the command
// applies it again once --ignore-preflight-errors is merged in.
func validateIgnorePreflightErrors(errs *fieldErrors, names []string, path string) {
	all := false
	for _, n := range names {
		if strings.EqualFold(n, "all") {
			all = true
		}
	}
	if all && len(names) > 1 {
		errs.add(path, "\"all\" ignores every check: do not list individual checks with it")
	}
}

// ValidateBootstrapTokens checks bootstrap tokens on their own, as
// `token create` makes them; errors name the field (bootstrapTokens[i].x)
// and never the secret. It returns nil or a *ValidationError.
func ValidateBootstrapTokens(tokens []BootstrapToken) error {
	var errs fieldErrors
	validateBootstrapTokens(&errs, tokens)
	return errs.result()
}

func validateBootstrapTokens(errs *fieldErrors, tokens []BootstrapToken) {
	for i, t := range tokens {
		p := index("bootstrapTokens", i)
		tok := ""
		if t.Token != nil {
			tok = t.Token.Token()
		}
		errs.addErr(p+".token", ValidateToken(tok))
		for _, u := range t.Usages {
			if !knownTokenUsage(u) {
				errs.add(p+".usages", "%q is not a token usage: use %s or %s", u, TokenUsageSigning, TokenUsageAuthentication)
			}
		}
		if len(t.Groups) > 0 && !slices.Contains(t.Usages, TokenUsageAuthentication) {
			errs.add(p+".groups", "groups can be set only when usages include %q", TokenUsageAuthentication)
		}
		for _, g := range t.Groups {
			errs.addErr(p+".groups", validateTokenGroupName(g))
		}
		if t.TTL != nil && t.Expires != nil {
			errs.add(p, "ttl and expires are mutually exclusive: set one of them")
		}
		if t.TTL != nil && t.TTL.Duration < 0 {
			errs.add(p+".ttl", "%s is negative: use 0 for a token that never expires", t.TTL.Duration)
		}
	}
}

func validateAPIEndpoint(errs *fieldErrors, e *APIEndpoint, path string) {
	if netutils.ParseIPSloppy(e.AdvertiseAddress) == nil {
		errs.add(path+".advertiseAddress", "%q is not a valid IP address", e.AdvertiseAddress)
	}
	if e.BindPort < 1 || e.BindPort > 65535 {
		errs.add(path+".bindPort", "%d is not a port number between 1 and 65535", e.BindPort)
	}
}

func validateSkipPhases(errs *fieldErrors, phases []string) {
	for i, p := range phases {
		if strings.TrimSpace(p) == "" {
			errs.add(index("skipPhases", i), "empty phase name")
		}
	}
}

func validateTimeouts(errs *fieldErrors, t *Timeouts) {
	if t == nil {
		return
	}
	for _, f := range []struct {
		name string
		d    *metav1.Duration
	}{
		{"controlPlaneComponentHealthCheck", t.ControlPlaneComponentHealthCheck},
		{"kubeletHealthCheck", t.KubeletHealthCheck},
		{"kubernetesAPICall", t.KubernetesAPICall},
		{"etcdAPICall", t.EtcdAPICall},
		{"tlsBootstrap", t.TLSBootstrap},
		{"discovery", t.Discovery},
		{"upgradeManifests", t.UpgradeManifests},
	} {
		if f.d != nil && f.d.Duration < 0 {
			errs.add("timeouts."+f.name, "%s is negative", f.d.Duration)
		}
	}
}

// validHostPort accepts what kubeadm accepts for an endpoint: an IP or DNS-1123 subdomain,
// with an optional port between 1 and 65535.
func validHostPort(endpoint string) bool {
	host, port, err := net.SplitHostPort(endpoint)
	if err != nil {
		host, port = endpoint, ""
	}
	if port != "" && !validPort(port) {
		return false
	}
	return netutils.ParseIPSloppy(host) != nil || len(validation.IsDNS1123Subdomain(host)) == 0
}

func validPort(port string) bool {
	n, err := strconv.Atoi(port)
	return err == nil && n >= 1 && n <= 65535
}

func isAbsPath(p string) bool {
	return filepath.IsAbs(p)
}
