package etcdcluster

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"k8s.io/klog/v2"

	"github.com/kadm-project/kadm/cluster/kube"
)

// Connect is a client of the cluster's stacked etcd as it is now. It starts
// from the client URLs the etcd mirror Pods publish (Endpoints), which may
// name members that are gone — a reset control-plane node whose Node object
// remains keeps its mirror Pod — and then keeps only the client URLs of the
// current members, as etcd's member list gives them. Transient failures are
// retried until ctx is done.
func Connect(ctx context.Context, client kube.Interface, certDir string) (*Client, error) {
	endpoints, err := Endpoints(ctx, client)
	if err != nil {
		return nil, err
	}
	c, err := New(endpoints, certDir)
	if err != nil {
		return nil, err
	}
	if err := c.sync(ctx); err != nil {
		_ = c.Close()
		return nil, err
	}
	return c, nil
}

// Endpoints are the client URLs the client talks to.
func (c *Client) Endpoints() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.endpoints)
}

// sync replaces the client's endpoints with the members' client URLs.
// Members added but not started yet have none and are left out.
func (c *Client) sync(ctx context.Context) error {
	var urls []string
	err := retry(ctx, "list the etcd members", func(ctx context.Context) error {
		all, err := c.Members(ctx)
		if err != nil {
			return err
		}
		urls = nil
		for _, m := range all {
			urls = append(urls, m.ClientURLs...)
		}
		if len(urls) == 0 {
			return permanent(errors.New("no etcd member has a client URL"))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("find the etcd members through %s: %w", strings.Join(c.Endpoints(), ","), err)
	}
	slices.Sort(urls)
	urls = slices.Compact(urls)
	for _, ep := range c.Endpoints() {
		if !slices.Contains(urls, ep) {
			klog.V(1).Infof("[etcd] %s is published by an etcd Pod but is no member's client URL: leaving it out", ep)
		}
	}
	c.mu.Lock()
	c.endpoints, c.next = urls, 0
	c.mu.Unlock()
	return nil
}
