// Package etcdcluster talks to a cluster's stacked etcd members: it finds
// them, checks their health and changes the membership for join and reset.
package etcdcluster
