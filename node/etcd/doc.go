// Package etcd runs the stacked etcd member of a control-plane node: its
// static Pod, its data directory and, later, its cluster membership.
package etcd
