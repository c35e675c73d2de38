// Package etcd is the stacked etcd member on this node: its static Pod, its
// ports and URLs, and its data directory. Its membership in the cluster is
// cluster/etcdcluster's.
package etcd
