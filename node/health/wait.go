package health

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/kadm-project/kadm/internal/backoff"
	"github.com/kadm-project/kadm/internal/progress"
)

// Wait polls every component until each answers 200 OK, concurrently, or
// until timeout. The error names each component that did not come up and
// its last failure. Certificates are not verified: these are liveness
// probes of local components, some of which serve self-signed certificates.
func Wait(ctx context.Context, comps []Component, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	client := probeClient()
	errs := make(chan error, len(comps))
	for _, c := range comps {
		progress.Printf(ctx, "[control-plane-check] Checking %s at %s\n", c.Name, c.URL)
		go func() {
			start := time.Now()
			err := poll(ctx, client, c.URL)
			if err != nil {
				progress.Printf(ctx, "[control-plane-check] %s is not healthy after %v\n", c.Name, time.Since(start).Round(time.Millisecond))
				errs <- fmt.Errorf("%s at %s: %w", c.Name, c.URL, err)
				return
			}
			progress.Printf(ctx, "[control-plane-check] %s is healthy after %v\n", c.Name, time.Since(start).Round(time.Millisecond))
			errs <- nil
		}()
	}
	var all []error
	for range comps {
		if err := <-errs; err != nil {
			all = append(all, err)
		}
	}
	return errors.Join(all...)
}

// probeClient asks local health endpoints as the kubelet's probes do: without verifying
// the certificate, and without keeping connections to a process that may go away.
func probeClient() *http.Client {
	return &http.Client{
		Timeout:   5 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, DisableKeepAlives: true},
	}
}

// poll asks url until it answers 200 OK, backing off from 50ms to 250ms: a
// component is found healthy within moments of its first 200. The checks
// are GETs of this node's own components, which a static Pod takes seconds
// to start; a longer pause would only add to init's and join's time.
func poll(ctx context.Context, client *http.Client, url string) error {
	var last error
	b := backoff.New(50*time.Millisecond, 250*time.Millisecond)
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("HTTP status %d", resp.StatusCode)
		}
		last = err
		if b.Wait(ctx) != nil {
			return fmt.Errorf("%w (last error: %v)", context.Cause(ctx), last)
		}
	}
}
