package httplog

import (
	"errors"
	"net/http"
	"net/url"
	"time"

	"k8s.io/klog/v2"
)

// Wrap logs the requests rt sends at RequestLevel and above.
func Wrap(rt http.RoundTripper) http.RoundTripper {
	return &logger{next: rt}
}

type logger struct{ next http.RoundTripper }

func (l *logger) RoundTrip(req *http.Request) (*http.Response, error) {
	if Verbosity() < RequestLevel {
		return l.next.RoundTrip(req)
	}
	start := time.Now()
	resp, err := l.next.RoundTrip(req)
	took := time.Since(start).Round(time.Millisecond)
	if err != nil {
		klog.Infof("%s %s failed after %s: %v", req.Method, Redact(req.URL), took, scrub(err))
		return resp, err
	}
	klog.Infof("%s %s %s in %s", req.Method, Redact(req.URL), resp.Status, took)
	return resp, nil
}

// Redact is u without what may carry a credential: user info, query and
// fragment (a pre-signed download link keeps its signature in the query).
func Redact(u *url.URL) string {
	r := *u
	r.User = nil
	r.RawQuery, r.ForceQuery = "", false
	r.Fragment, r.RawFragment = "", ""
	return r.String()
}

// scrub drops the URL that net/http repeats in its errors, query included.
func scrub(err error) error {
	if uerr, ok := errors.AsType[*url.Error](err); ok {
		return uerr.Err
	}
	return err
}

// WrappedRoundTripper lets client-go reach the transport below.
func (l *logger) WrappedRoundTripper() http.RoundTripper { return l.next }

// CloseIdleConnections passes http.Client's call on to the transport.
func (l *logger) CloseIdleConnections() {
	if c, ok := l.next.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}
