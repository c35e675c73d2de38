package etcdcluster

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

// healthKey is read to see a member serve linearizable reads, as
// `etcdctl endpoint health` does; it need not exist.
const healthKey = "health"

// CheckHealth asks every endpoint for its status, each on its own
// connection and all at once, until each answers with no alarm and a known
// leader or ctx is done. The error names every endpoint that failed.
func (c *Client) CheckHealth(ctx context.Context) error {
	err := eachEndpoint(ctx, c.Endpoints(), func(ctx context.Context, ep string) error {
		return retry(ctx, "status of etcd endpoint "+ep, func(ctx context.Context) error {
			var st struct {
				Leader id       `json:"leader"`
				Errors []string `json:"errors"`
			}
			err := c.call(ctx, ep, "/v3/maintenance/status", struct{}{}, &st)
			switch {
			case err != nil:
				return err
			case len(st.Errors) > 0:
				return fmt.Errorf("it reports %s", strings.Join(st.Errors, "; "))
			case st.Leader == 0:
				return errors.New("it knows no leader")
			}
			return nil
		})
	})
	if err != nil {
		return fmt.Errorf("etcd cluster is not healthy: %w", err)
	}
	return nil
}

// WaitAvailable waits until every voting member serves a linearizable read
// through its own client URL: then a quorum agrees on a leader and the
// latest member change has been applied everywhere. Learners serve no such
// read and are left out.
func (c *Client) WaitAvailable(ctx context.Context) error {
	err := retry(ctx, "wait for the etcd cluster", func(ctx context.Context) error {
		all, err := c.Members(ctx)
		if err != nil {
			return err
		}
		var endpoints []string
		for _, m := range all {
			switch {
			case m.IsLearner:
			case len(m.ClientURLs) == 0:
				return fmt.Errorf("voting member %s has not started yet", strings.Join(m.PeerURLs, ","))
			default:
				endpoints = append(endpoints, m.ClientURLs[0])
			}
		}
		return eachEndpoint(ctx, endpoints, c.read)
	})
	if err != nil {
		return fmt.Errorf("wait for the etcd cluster to be available: %w", err)
	}
	return nil
}

// readTimeout bounds one read. A healthy member answers in milliseconds;
// one that is not listening yet refuses the connection at once.
const readTimeout = 1500 * time.Millisecond

// read does a linearizable read through ep alone.
func (c *Client) read(ctx context.Context, ep string) error {
	rctx, cancel := context.WithTimeout(ctx, readTimeout)
	defer cancel()
	err := c.call(rctx, ep, "/v3/kv/range", map[string][]byte{"key": []byte(healthKey)}, &struct{}{})
	if err != nil && ctx.Err() == nil && rctx.Err() != nil {
		return fmt.Errorf("no answer within %s: is etcd running there, and reachable?", readTimeout)
	}
	return err
}

// eachEndpoint runs fn for every endpoint in parallel and gathers the
// failures, each under its endpoint, in the order of endpoints.
func eachEndpoint(ctx context.Context, endpoints []string, fn func(context.Context, string) error) error {
	errs := make([]error, len(endpoints))
	var wg sync.WaitGroup
	for i, ep := range endpoints {
		wg.Go(func() {
			if err := fn(ctx, ep); err != nil {
				errs[i] = fmt.Errorf("%s: %w", ep, err)
			}
		})
	}
	wg.Wait()
	var failed endpointErrors
	for _, err := range errs {
		if err != nil {
			failed = append(failed, err)
		}
	}
	if len(failed) == 0 {
		return nil
	}
	return failed
}

// endpointErrors keeps the failures of several endpoints on one line.
type endpointErrors []error

func (e endpointErrors) Error() string {
	msgs := make([]string, len(e))
	for i, err := range e {
		msgs[i] = err.Error()
	}
	return strings.Join(msgs, "; ")
}

func (e endpointErrors) Unwrap() []error { return e }
