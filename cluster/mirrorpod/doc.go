// Package mirrorpod reads the mirror Pods through which the kubelet publishes the static
// Pods it runs, to tell which manifest a node's kubelet runs and whether it is up.
package mirrorpod
