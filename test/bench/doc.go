// Package bench compares kadm's start-up time, memory and size with upstream
// kubeadm's, built from the Go module proxy in the same run (make bench).
package bench
