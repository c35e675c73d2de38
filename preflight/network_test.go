package preflight

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestHostname(t *testing.T) {
	t.Parallel()
	lookup := func(_ context.Context, host string) ([]string, error) {
		if host == "cp-1" || host == "CP-1" {
			return []string{"10.0.0.1"}, nil
		}
		return nil, errors.New("no such host")
	}
	runCases(t, []checkCase{
		{name: "resolvable", check: Hostname{NodeName: "cp-1", LookupHost: lookup}, wantName: "Hostname"},
		{name: "unresolvable", check: Hostname{NodeName: "cp-2", LookupHost: lookup}, wantName: "Hostname",
			warnings: []string{`hostname "cp-2" could not be reached`, `hostname "cp-2": no such host`}},
		{name: "uppercase", check: Hostname{NodeName: "CP-1", LookupHost: lookup}, wantName: "Hostname",
			warnings: []string{`invalid node name format "CP-1"`}},
	})
}

// proxyFor sends every request to a proxy except those whose host has one
// of the direct prefixes, as NO_PROXY would.
func proxyFor(direct ...string) func(*http.Request) (*url.URL, error) {
	return func(r *http.Request) (*url.URL, error) {
		for _, d := range direct {
			if strings.HasPrefix(r.URL.Host, d) {
				return nil, nil
			}
		}
		return url.Parse("http://proxy.example:3128")
	}
}

func TestHTTPProxy(t *testing.T) {
	t.Parallel()
	var seen []string
	recording := func(r *http.Request) (*url.URL, error) {
		seen = append(seen, r.URL.String())
		return nil, nil
	}
	runCases(t, []checkCase{
		{name: "direct", check: HTTPProxy{Proto: "https", Host: "10.0.0.1", Proxy: proxyFor("10.")}, wantName: "HTTPProxy"},
		{name: "proxied", check: HTTPProxy{Proto: "https", Host: "10.0.0.1", Proxy: proxyFor()}, wantName: "HTTPProxy",
			warnings: []string{`Connection to "https://10.0.0.1" uses proxy "http://proxy.example:3128"`}},
		{name: "service subnet direct", check: HTTPProxyCIDR{Proto: "https", CIDR: "10.96.0.0/12", Proxy: proxyFor("10.96.0.1:")}, wantName: "HTTPProxyCIDR"},
		{name: "service subnet proxied", check: HTTPProxyCIDR{Proto: "https", CIDR: "10.96.0.0/12", Proxy: proxyFor()}, wantName: "HTTPProxyCIDR",
			warnings: []string{`connection to "10.96.0.0/12" uses proxy "http://proxy.example:3128"`}},
		{name: "no pod subnet", check: HTTPProxyCIDR{Proto: "https", CIDR: "", Proxy: proxyFor()}, wantName: "HTTPProxyCIDR"},
		{name: "bad subnet", check: HTTPProxyCIDR{Proto: "https", CIDR: "10.96.0.0", Proxy: proxyFor()}, wantName: "HTTPProxyCIDR",
			errs: []string{`error parsing CIDR "10.96.0.0"`}},
	})
	// The proxy is asked about an IPv6 host with a port, as an HTTP client would.
	HTTPProxy{Proto: "https", Host: "fd00::1", Proxy: recording}.Check(context.Background())
	HTTPProxyCIDR{Proto: "https", CIDR: "fd00:10:96::/112", Proxy: recording}.Check(context.Background())
	want := []string{"https://[fd00::1]:1234", "https://[fd00:10:96::1]:1234/"}
	if strings.Join(seen, " ") != strings.Join(want, " ") {
		t.Errorf("asked the proxy about %q, want %q", seen, want)
	}
}
