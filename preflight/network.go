package preflight

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"time"

	"k8s.io/apimachinery/pkg/util/validation"
	netutils "k8s.io/utils/net"
)

// lookupTimeout bounds the host name lookup, which may wait on DNS.
const lookupTimeout = 10 * time.Second

// Hostname warns when the node name is not a valid (lowercase) DNS name or
// does not resolve: the kubelet then cannot run the static Pods.
type Hostname struct {
	NodeName   string
	LookupHost func(ctx context.Context, host string) ([]string, error)
}

func (Hostname) Name() string { return "Hostname" }

func (c Hostname) Check(ctx context.Context) (warnings, errs []error) {
	for _, msg := range validation.IsDNS1123Subdomain(c.NodeName) {
		warnings = append(warnings, fmt.Errorf("invalid node name format %q: %s", c.NodeName, msg))
	}
	ctx, cancel := context.WithTimeout(ctx, lookupTimeout)
	defer cancel()
	addrs, err := c.LookupHost(ctx, c.NodeName)
	if len(addrs) == 0 {
		warnings = append(warnings, fmt.Errorf("hostname %q could not be reached", c.NodeName))
	}
	if err != nil {
		warnings = append(warnings, fmt.Errorf("hostname %q: %w", c.NodeName, err))
	}
	return warnings, nil
}

// HTTPProxy warns when HTTPS requests to Host would go through a proxy,
// which the kubelet and kadm would then use to reach the API server.
type HTTPProxy struct {
	Proto string
	Host  string
	Proxy func(*http.Request) (*url.URL, error)
}

func (HTTPProxy) Name() string { return "HTTPProxy" }

func (c HTTPProxy) Check(ctx context.Context) (warnings, errs []error) {
	u := &url.URL{Scheme: c.Proto, Host: c.Host}
	if netutils.IsIPv6String(c.Host) {
		u.Host = net.JoinHostPort(c.Host, "1234")
	}
	proxy, err := c.proxyFor(u.String())
	if err != nil {
		return nil, []error{err}
	}
	if proxy != nil {
		return []error{fmt.Errorf("Connection to %q uses proxy %q. If that is not intended, adjust your proxy settings", u, proxy)}, nil
	}
	return nil, nil
}

func (c HTTPProxy) proxyFor(rawURL string) (*url.URL, error) {
	req, err := http.NewRequest(http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, err
	}
	return c.Proxy(req)
}

// HTTPProxyCIDR warns when requests to a Service or Pod subnet would go
// through a proxy, as the API server's own requests to them then would.
type HTTPProxyCIDR struct {
	Proto string
	CIDR  string
	Proxy func(*http.Request) (*url.URL, error)
}

func (HTTPProxyCIDR) Name() string { return "HTTPProxyCIDR" }

func (c HTTPProxyCIDR) Check(ctx context.Context) (warnings, errs []error) {
	if c.CIDR == "" {
		return nil, nil
	}
	_, cidr, err := netutils.ParseCIDRSloppy(c.CIDR)
	if err != nil {
		return nil, []error{fmt.Errorf("error parsing CIDR %q: %w", c.CIDR, err)}
	}
	ip, err := netutils.GetIndexedIP(cidr, 1)
	if err != nil {
		return nil, []error{fmt.Errorf("unable to get first IP address from the given CIDR (%s): %w", cidr, err)}
	}
	proxy, err := HTTPProxy{Proxy: c.Proxy}.proxyFor(fmt.Sprintf("%s://%s/", c.Proto, net.JoinHostPort(ip.String(), "1234")))
	if err != nil {
		return nil, []error{err}
	}
	if proxy != nil {
		return []error{fmt.Errorf("connection to %q uses proxy %q. This may lead to malfunctional cluster setup. "+
			"Make sure that Pod and Services IP ranges specified correctly as exceptions in proxy configuration", c.CIDR, proxy)}, nil
	}
	return nil, nil
}
