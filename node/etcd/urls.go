package etcd

import (
	"net"
	"strconv"
)

// Ports a stacked etcd member listens on.
const (
	ClientPort  = 2379
	PeerPort    = 2380
	MetricsPort = 2381
)

// ClientURL is where etcd at addr serves clients.
func ClientURL(addr string) string {
	return "https://" + net.JoinHostPort(addr, strconv.Itoa(ClientPort))
}

// PeerURL is where etcd at addr talks to the other members.
func PeerURL(addr string) string {
	return "https://" + net.JoinHostPort(addr, strconv.Itoa(PeerPort))
}

// loopback is the loopback address of addr's family: etcd serves local
// clients and metrics there, in the family the node advertises.
func loopback(addr string) string {
	if ip := net.ParseIP(addr); ip != nil && ip.To4() == nil {
		return "::1"
	}
	return "127.0.0.1"
}
