// Package objects creates or updates the API objects kadm owns in a cluster:
// every call bounded by a deadline, retried on transient errors, or only listed on --dry-run.
package objects
