package kubelet

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/kadm-project/kadm/config/componentconfig"
	"github.com/kadm-project/kadm/internal/backoff"
)

// The pauses between two /healthz requests start short, so that the wait
// ends within moments of the kubelet's start, and grow to kubeadm's fixed
// half second.
const (
	healthFirst = 20 * time.Millisecond
	healthMax   = 500 * time.Millisecond
)

// ErrHealthzDisabled is HealthzURL's answer for healthzPort 0: the kubelet
// serves no /healthz, so there is nothing to wait for (kubeadm skips the wait).
var ErrHealthzDisabled = errors.New("the kubelet's healthz port is 0")

// HealthzURL is where the kubelet configured by kc serves /healthz.
func HealthzURL(kc *componentconfig.KubeletConfiguration) (string, error) {
	port := int32(HealthzPort)
	if kc.HealthzPort != nil {
		port = *kc.HealthzPort
	}
	if port == 0 {
		return "", ErrHealthzDisabled
	}
	addr := kc.HealthzBindAddress
	if addr == "" {
		addr = HealthzBindAddress
	}
	return "http://" + net.JoinHostPort(addr, strconv.Itoa(int(port))) + "/healthz", nil
}

// WaitHealthy polls url (see HealthzURL) until the kubelet answers 200 OK or
// ctx ends; the caller bounds ctx with timeouts.kubeletHealthCheck. The
// error quotes the last answer and says where to look next.
func WaitHealthy(ctx context.Context, url string) error {
	return waitHealthy(ctx, url, backoff.New(healthFirst, healthMax))
}

func waitHealthy(ctx context.Context, url string, b *backoff.Backoff) error {
	// Proxies from the environment must not be used for a loopback request.
	client := &http.Client{Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true}}
	var last string
	for {
		cause, ok := probe(ctx, client, url)
		if ok {
			return nil
		}
		if cause != "" {
			last = cause
		}
		if b.Wait(ctx) != nil {
			if last == "" {
				last = "no answer"
			}
			return fmt.Errorf("the kubelet is not healthy (%w): the HTTP call equal to 'curl -sSL %s' returned %s; "+
				"check that the kubelet runs ('systemctl status kubelet') and read its logs ('journalctl -xeu kubelet')",
				ctx.Err(), url, last)
		}
	}
}

// probe makes one request; cause is empty when the request was cut short
// by ctx, so that the last real answer is the one reported.
func probe(ctx context.Context, client *http.Client, url string) (cause string, ok bool) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "error: " + err.Error(), false
	}
	resp, err := client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return "", false
		}
		return "error: " + err.Error(), false
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode != http.StatusOK {
		return fmt.Sprintf("status code: %d", resp.StatusCode), false
	}
	return "", true
}
