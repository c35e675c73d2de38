// Package initsystem starts, stops and inspects host services (the kubelet)
// through the host's init system, systemd or OpenRC, and says when there is none.
package initsystem
