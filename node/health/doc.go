// Package health waits for the control-plane components a node runs to
// answer on their health endpoints, and says which one did not.
package health
