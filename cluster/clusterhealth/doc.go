// Package clusterhealth checks, before an upgrade, that the cluster can take one: its
// control-plane nodes are Ready and it still schedules and runs a Pod.
package clusterhealth
